import Foundation

#if canImport(Glibc)
import Glibc
import LockstepClient
#endif

/// The server a run measures: a `lockstep serve` child process started for the run (on a free
/// port, limits raised for one-address load, replays in a temporary directory), or an external
/// server reached by URL.
final class BenchServer: Sendable {
    /// The admin API client.
    let admin: AdminClient
    /// The server's process id, when known (CPU and RSS figures need it).
    let pid: Int32?
    /// Where the bots connect.
    let playHost: String, playPort: Int, playPath: String
    private let process: ServerProcess?
    private let replays: String?

    init(options: BenchOptions, rooms: Int) throws {
        switch options.target {
        case .child(let executable, let loops):
            let connections = rooms * options.connectionsPerRoom
            let key = Self.randomHex(16)
            let directory = NSTemporaryDirectory() + "lockstep-bench-\(getpid())-\(Self.randomHex(4))"
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw BenchRunner.Failure(description: "cannot create \(directory): \(error)")
            }
            var arguments = [
                "--admin-key", key, "--token-secret", Self.randomHex(16), "--replays", directory, "--log-level", "error",
                "--max-rooms", String(rooms + 16), "--max-connections", String(connections + 256),
                "--max-connections-per-address", String(connections + 256),
                "--messages-per-second", String(max(120, options.tickRate * 4)),
                "--message-burst", String(max(240, options.tickRate * 8)),
            ]
            if let loops { arguments += ["--loops", String(loops)] }
            arguments += options.serverArguments
            do {
                process = try ServerProcess(executable: executable, arguments: arguments)
            } catch {
                throw BenchRunner.Failure(description: "cannot start the server: \(error)")
            }
            replays = directory
            pid = process?.pid
            let port = process?.port ?? 0
            admin = AdminClient(port: port, adminKey: key)
            playHost = "127.0.0.1"
            playPort = port
            playPath = "/v1/play"
            // Let the idle server settle before its baseline RSS is read.
            usleep(200_000)
        case .external(let playURL, let adminURL, let adminKey, let serverPID):
            process = nil
            replays = nil
            pid = serverPID
            admin = AdminClient(host: adminURL.host, port: adminURL.port, adminKey: adminKey)
            playHost = playURL.host
            playPort = playURL.port
            playPath = playURL.path
        }
    }

    /// Where the bots of `room` connect: the `--url` server, unless the admin API placed the room
    /// on another node (a cluster: its answer's `url` names another host or port than the admin
    /// API's), then that node.
    func playAddress(of room: AdminClient.CreatedRoom) -> (host: String, port: Int) {
        if process == nil, let url = try? PlayURL(parsing: room.url), url.host != admin.host || url.port != admin.port {
            return (url.host, url.port)
        }
        return (playHost, playPort)
    }

    /// Ends the rooms of an external server (a child server is simply stopped).
    func endRooms(_ rooms: [AdminClient.CreatedRoom]) {
        guard process == nil else { return }
        for room in rooms { _ = try? admin.request("POST", "/v1/rooms/\(room.roomID)/end") }
    }

    /// Stops a child server and removes its replays.
    func stop() {
        guard let process else { return }
        process.stop(signal: SIGTERM, timeout: 10)
        if let replays { try? FileManager.default.removeItem(atPath: replays) }
    }

    private static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
