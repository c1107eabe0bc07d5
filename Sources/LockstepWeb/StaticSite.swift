import LockstepHTTP
import LockstepServer

#if canImport(Glibc)
import Glibc
#endif

/// The browser pages: every file under a directory, read once at start-up and served from memory
/// at `/` (GET and HEAD), with its media type, a strong `ETag` (a matching `If-None-Match` gets
/// 304) and `Cache-Control: no-cache` (browsers revalidate, so a new release is seen at once).
///
/// Requests never touch the disk, so no request path can reach a file outside the site; paths
/// with `.`/`..` segments or bad escapes are refused with 400 all the same (`StaticPath`).
/// Immutable after `init` (hence `Sendable`).
public final class StaticSite: Sendable {
    /// The files by key (`index.html`, `lockstep/client.js`).
    let files: [String: StaticFile]
    /// The directory the files were read from, or `nil` when there is none (every path is then
    /// 404 with `missingMessage`).
    public let root: String?
    /// Why there are no pages, shown at any path when `root` is `nil`.
    let missingMessage: String

    /// The most bytes read from a site (64 MiB): a root given by mistake (`--web-root /`) must
    /// not fill the memory.
    public static let maxTotalBytes = 64 * 1024 * 1024
    /// The largest file served (8 MiB less 64 KiB): a response is one write, and must fit under a
    /// connection's default outbound cap (8 MiB) with its head.
    public static let maxFileBytes = 8 * 1024 * 1024 - 64 * 1024
    /// The most files read from a site.
    public static let maxFiles = 4096

    /// Reads every regular file under `root` (hidden files and symbolic links are skipped).
    ///
    /// - Parameter logger: told what was read, and what was skipped and why.
    public init(root: String, logger: Logger) {
        var files: [String: StaticFile] = [:]
        var total = 0
        var skipped: [String] = []
        Self.walk(root, prefix: "") { key, path in
            guard files.count < Self.maxFiles else {
                skipped.append(key)
                return
            }
            guard let body = Self.read(path, limit: min(Self.maxFileBytes, Self.maxTotalBytes - total)) else {
                skipped.append(key)
                return
            }
            total += body.count
            files[key] = StaticFile(path: key, body: body)
        }
        self.files = files
        self.root = root
        missingMessage = ""
        logger.info("web_pages_loaded", ["root": root, "files": files.count, "bytes": total])
        if !skipped.isEmpty {
            logger.warning("web_pages_skipped", ["root": root, "files": skipped.count, "first": skipped.sorted()[0]])
        }
    }

    /// A site with no pages: every path answers 404 with `message` (what to do about it).
    public init(missing message: String) {
        files = [:]
        root = nil
        missingMessage = message
    }

    /// The keys of every file served, sorted.
    public var paths: [String] { files.keys.sorted() }

    /// The answer to `request` (any method; only GET and HEAD are served).
    public func response(to request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return .error(.methodNotAllowed, headers: HTTPHeaders([("Allow", "GET, HEAD")]))
        }
        guard root != nil else { return .text(.notFound, missingMessage) }
        let key: String
        do {
            key = try StaticPath.key(for: request.path)
        } catch {
            return .text(.badRequest, "400 Bad Request: the path is not a plain file path\n")
        }
        guard let file = files[key] else {
            if files[key + "/index.html"] != nil {
                var response = HTTPResponse(status: HTTPStatus(code: 301, reason: "Moved Permanently"))
                response.headers.replaceOrAdd(name: "Location", value: String(request.path) + "/")
                return response
            }
            return .text(.notFound, "404 Not Found\n")
        }
        var headers = HTTPHeaders([
            ("ETag", file.etag), ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff"),
        ])
        if Self.matches(request.headers.first("If-None-Match"), file.etag) {
            return HTTPResponse(status: HTTPStatus(code: 304, reason: "Not Modified"), headers: headers)
        }
        headers.replaceOrAdd(name: "Content-Type", value: file.contentType)
        return HTTPResponse(status: .ok, headers: headers, body: file.body)
    }

    /// Whether an `If-None-Match` value names `etag` (weak comparison, RFC 9110 §13.1.2).
    static func matches(_ header: String?, _ etag: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { candidate in
            var tag = candidate.trimmingWhitespace()
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            return tag == etag
        }
    }

    /// Calls `visit(key, path)` for each regular file under `directory`, in sorted order.
    private static func walk(_ directory: String, prefix: String, depth: Int = 0, _ visit: (String, String) -> Void) {
        guard depth < 16, let handle = opendir(directory) else { return }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        closedir(handle)
        for name in names.sorted() {
            let path = directory + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFDIR: walk(path, prefix: prefix + name + "/", depth: depth + 1, visit)
            case S_IFREG: visit(prefix + name, path)
            default: continue
            }
        }
    }

    /// The bytes of the file at `path`, or `nil` when it cannot be read or is over `limit` bytes.
    private static func read(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            if bytes.count > limit { return nil }
        }
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
