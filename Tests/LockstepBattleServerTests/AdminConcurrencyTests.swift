import LockstepTesting
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct AdminConcurrencyTests {
    /// Rooms are created whatever loop the admin request lands on, including the room's own loop
    /// (always so with one loop), and concurrent requests never wait on each other.
    @Test(arguments: [1, 2])
    func concurrentRoomCreationsAllSucceed(loops: Int) throws {
        let server = try TestBattleServer(loops: loops)
        defer { server.stop() }
        let created = Atomic<Int>(0)
        let failures = Mutex<[String]>([])
        let admin = server.admin
        var threads: [pthread_t] = []
        final class Job: @unchecked Sendable {
            let body: () -> Void
            init(_ body: @escaping () -> Void) { self.body = body }
        }
        for _ in 0..<8 {
            let job = Job {
                for _ in 0..<5 {
                    do {
                        _ = try admin.createRoom(["players": 2])
                        created.add(1, ordering: .relaxed)
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            var thread = pthread_t()
            let box = Unmanaged.passRetained(job).toOpaque()
            pthread_create(&thread, nil, { raw in
                guard let raw else { return nil }
                let job = Unmanaged<Job>.fromOpaque(raw).takeRetainedValue()
                job.body()
                return nil
            }, box)
            threads.append(thread)
        }
        for thread in threads { pthread_join(thread, nil) }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        #expect(created.load(ordering: .relaxed) == 40)
    }
}
