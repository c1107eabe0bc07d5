// The HTTP/1.1 request parser fed in socket-sized reads, then routing, query decoding and the
// WebSocket upgrade handshake on every request it yields; and the same bytes as a response head.
//
// Input: one byte choosing the read size, then the bytes a client sends.
// Properties: never a crash; `consumed` always within the buffer and positive; the requests (or the
// error) are the same whether the bytes arrive in one read or in many.
import FuzzSupport
import LockstepHTTP
import LockstepWebSocket

struct ParsedRequest: Equatable {
    var method: String
    var target: String
    var minorVersion: Int
    var headers: [String]
    var body: [UInt8]
}

enum Outcome: Equatable {
    case requests([ParsedRequest], error: String?)
}

let router: HTTPRouter<Int> = {
    var router = HTTPRouter<Int>()
    for (index, route) in [
        ("POST", "/v1/rooms"), ("GET", "/v1/rooms"), ("GET", "/v1/rooms/:id"), ("POST", "/v1/rooms/:id/end"),
        ("GET", "/v1/play"), ("GET", "/echo"), ("GET", "/metrics"), ("GET", "/healthz"),
    ].enumerated() {
        router.add(route.0, route.1, index)
    }
    return router
}()

let handshake = WebSocketServerHandshake(subprotocols: ["lockstep.v1"])

/// Routes and answers one request the way the server does (the answers are thrown away).
func serve(_ request: HTTPRequest) {
    _ = request.path
    _ = request.keepAlive
    _ = request.queryValue("room")
    switch router.match(method: request.method, path: request.path) {
    case .found(_, let parameters): _ = parameters["id"]
    case .notFound, .methodNotAllowed: break
    }
    if let accepted = try? handshake.accept(request) {
        _ = accepted.response.serialized()
    }
}

/// Parses `stream` delivered in reads of `readSize` bytes, as a connection's receive buffer does.
func parse(_ stream: UnsafeRawBufferPointer, readSize: Int) -> Outcome {
    var parser = HTTPRequestParser()
    var buffer: [UInt8] = []
    var requests: [ParsedRequest] = []
    for piece in chunks(stream, size: readSize) {
        buffer.append(contentsOf: piece)
        while true {
            let result: HTTPRequestParser.Result
            do {
                result = try buffer.withUnsafeBytes { raw throws(HTTPParseError) in try parser.parse(raw) }
            } catch {
                return .requests(requests, error: "\(error)")
            }
            guard case .request(let request, let consumed) = result else { break }
            fuzzExpect(consumed > 0 && consumed <= buffer.count, "consumed \(consumed) of \(buffer.count)")
            serve(request)
            requests.append(
                ParsedRequest(
                    method: request.method, target: request.target, minorVersion: request.minorVersion,
                    headers: request.headers.map { "\($0.name): \($0.value)" }, body: request.body))
            buffer.removeFirst(consumed)
        }
    }
    return .requests(requests, error: nil)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let readSize = input.chunkSize()
    let stream = input.rest
    let chunked = parse(stream, readSize: readSize)
    let whole = parse(stream, readSize: Int.max)
    fuzzExpect(chunked == whole, "reads of \(readSize) bytes gave \(chunked), one read gave \(whole)")
    // The same bytes as a server's answer to a client's upgrade request.
    if let (head, consumed) = try? HTTPResponseHead.parse(stream) {
        fuzzExpect(consumed <= stream.count && (0...999).contains(head.statusCode), "response head \(head.statusCode), \(consumed) bytes")
    }
    return 0
}

/// The program's entry (SwiftPM's renamed `main`): libFuzzer's driver on `fuzzHTTP`.
@_cdecl("FuzzHTTP_main")
public func fuzzHTTPMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzHTTP)
}
