import Foundation
import Synchronization

/// A Redis client that never blocks its callers: jobs are queued to one worker thread that owns
/// the connection, runs them in order, and calls their completions there.
///
/// When the connection is down, jobs fail at once with `.unavailable` (a caller answers 503 now
/// rather than waiting), and the worker reconnects with exponential backoff (from
/// `initialBackoffMillis`, doubling up to `maxBackoffMillis`) when the next job comes. Every
/// connect, failure and reconnect is reported through `onEvent` and counted in `metrics`.
///
/// `Sendable` as checked by the compiler: the queue and the stopped flag are under `state`'s
/// mutex; the connection and its backoff (`Worker`) are local to the worker thread.
public final class RedisClient: Sendable {
    /// What a job gets: the open connection, or why there is none.
    public typealias Job = @Sendable (Result<RedisConnection, RedisError>) -> Void

    /// Something the client did, for logs.
    public enum Event: Sendable {
        case connected(RedisURL, reconnect: Bool)
        case connectFailed(RedisError, retryInMillis: Int)
        case connectionLost(RedisError)
    }

    public let url: RedisURL
    public let metrics = RedisClientMetrics()
    public let timeoutMillis: Int
    public let initialBackoffMillis: Int
    public let maxBackoffMillis: Int
    private let onEvent: @Sendable (Event) -> Void
    private let state = Mutex<(jobs: [Job], stopped: Bool)>(([], false))
    private let wakeups = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// The worker thread's own state: its connection and when to try the next one.
    private struct Worker {
        var connection: RedisConnection?
        var nextAttempt: UInt64 = 0
        var backoff: Int
        var everConnected = false
        var lastFailure = "not connected yet"
    }

    /// A client for `url`; the worker starts at once, the first connection with the first job.
    ///
    /// - Parameters:
    ///   - timeoutMillis: bounds a connect and each read or write (1 s).
    ///   - initialBackoffMillis: the first wait after a failed connect (100 ms).
    ///   - maxBackoffMillis: the longest wait between attempts (2 s).
    public init(
        url: RedisURL, timeoutMillis: Int = 1000, initialBackoffMillis: Int = 100, maxBackoffMillis: Int = 2000,
        onEvent: @escaping @Sendable (Event) -> Void = { _ in }
    ) {
        self.url = url
        self.timeoutMillis = timeoutMillis
        self.initialBackoffMillis = initialBackoffMillis
        self.maxBackoffMillis = maxBackoffMillis
        self.onEvent = onEvent
        let thread = Thread { [self] in run() }
        thread.name = "lockstep-redis"
        thread.start()
    }

    /// Queues `job` (from any thread; never blocks). After `stop()`, it is called with `.stopped`.
    public func submit(_ job: @escaping Job) {
        let accepted = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted { wakeups.signal() } else { job(.failure(.stopped)) }
    }

    /// Runs one command; `completion` gets its reply (an error reply is a reply) or the failure.
    public func command(_ arguments: [String], completion: @escaping @Sendable (Result<RESPValue, RedisError>) -> Void) {
        submit { connection in
            completion(connection.flatMap { connection in Result { () throws(RedisError) in try connection.command(arguments) } })
        }
    }

    /// Runs `script`; `completion` gets its reply or the failure.
    public func eval(
        _ script: RedisScript, keys: [String], arguments: [String],
        completion: @escaping @Sendable (Result<RESPValue, RedisError>) -> Void
    ) {
        submit { connection in
            completion(connection.flatMap { connection in
                Result { () throws(RedisError) in try connection.eval(script, keys: keys, arguments: arguments) }
            })
        }
    }

    /// Runs `script` and waits up to `timeoutMillis` for its reply: for shutdown, from a thread
    /// that is not an event loop (never from a loop).
    public func evalAndWait(_ script: RedisScript, keys: [String], arguments: [String], timeoutMillis: Int) -> Result<RESPValue, RedisError> {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<RESPValue, RedisError>>(.failure(.io("timed out")))
        eval(script, keys: keys, arguments: arguments) { reply in
            result.withLock { $0 = reply }
            done.signal()
        }
        _ = done.wait(timeout: .now() + .milliseconds(timeoutMillis))
        return result.withLock { $0 }
    }

    /// Stops the worker after the jobs queued so far and closes the connection; waits up to 2 s.
    public func stop() {
        state.withLock { $0.stopped = true }
        wakeups.signal()
        _ = finished.wait(timeout: .now() + .seconds(2))
    }

    // MARK: The worker thread

    private func run() {
        var worker = Worker(backoff: initialBackoffMillis)
        while true {
            wakeups.wait()
            let (jobs, stopped) = state.withLock { state in
                defer { state.jobs.removeAll() }
                return (state.jobs, state.stopped)
            }
            for job in jobs { runJob(job, &worker) }
            if stopped && state.withLock({ $0.jobs.isEmpty }) {
                worker.connection?.close()
                worker.connection = nil
                metrics.connected.store(0, ordering: .relaxed)
                finished.signal()
                return
            }
        }
    }

    private func runJob(_ job: Job, _ worker: inout Worker) {
        metrics.jobs.add(1, ordering: .relaxed)
        guard let connection = connectIfDue(&worker) else {
            metrics.refusedWhileDown.add(1, ordering: .relaxed)
            job(.failure(.unavailable(worker.lastFailure)))
            return
        }
        job(.success(connection))
        if connection.isBroken {
            worker.connection = nil
            metrics.connected.store(0, ordering: .relaxed)
            metrics.connectionFailures.add(1, ordering: .relaxed)
            worker.lastFailure = "the connection broke"
            onEvent(.connectionLost(.io("the connection broke during a command")))
            // Try again with the next job, without waiting: a server restart is often over by then.
            worker.nextAttempt = 0
        }
    }

    private func connectIfDue(_ worker: inout Worker) -> RedisConnection? {
        if let connection = worker.connection { return connection }
        let now = Self.nowMillis()
        guard now >= worker.nextAttempt else { return nil }
        do {
            let opened = try RedisConnection(url: url, timeoutMillis: timeoutMillis)
            worker.connection = opened
            worker.backoff = initialBackoffMillis
            metrics.connects.add(1, ordering: .relaxed)
            metrics.connected.store(1, ordering: .relaxed)
            onEvent(.connected(url, reconnect: worker.everConnected))
            worker.everConnected = true
            return opened
        } catch {
            metrics.connectFailures.add(1, ordering: .relaxed)
            worker.lastFailure = error.description
            worker.nextAttempt = now + UInt64(worker.backoff)
            onEvent(.connectFailed(error, retryInMillis: worker.backoff))
            worker.backoff = min(maxBackoffMillis, worker.backoff * 2)
            return nil
        }
    }

    private static func nowMillis() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec) / 1_000_000
    }
}
