/// Why an Agones SDK call failed.
public enum AgonesError: Error, Equatable, CustomStringConvertible {
    /// The sidecar did not answer (not listening yet, or the connection failed).
    case unreachable(String)
    /// The sidecar answered with an error status; `message` is the gRPC gateway's
    /// `{"code": N, "message": "…"}` message (or the body).
    case status(Int, message: String)
    /// The sidecar answered 200 with a body that is not what its API documents.
    case badAnswer(String)

    public var description: String {
        switch self {
        case .unreachable(let why): "the Agones sidecar is unreachable: \(why)"
        case .status(let code, let message): "the Agones sidecar answered \(code): \(message)"
        case .badAnswer(let why): "the Agones sidecar's answer is not understood: \(why)"
        }
    }

    /// Whether the sidecar said the Counter, List or value does not exist (HTTP 404, gRPC NOT_FOUND).
    public var isNotFound: Bool { if case .status(404, _) = self { true } else { false } }
}
