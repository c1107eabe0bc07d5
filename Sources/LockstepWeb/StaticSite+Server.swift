import LockstepServer

extension StaticSite {
    /// Serves the site at every path the server has no route or endpoint for.
    public func install(on server: Server) {
        let site = self
        server.setFallbackRoute { request, _, responder in responder.respond(site.response(to: request)) }
    }

    /// The site `lockstep serve` serves: the pages in `override` when given, else those beside
    /// the executable, else none (one log line saying where they were looked for).
    public static func locate(override: String?, logger: Logger) -> StaticSite {
        if let override {
            guard WebRoot.isDirectory(override) else {
                logger.warning(
                    "web_pages_missing", ["root": override, "hint": "--web-root is not a directory; serving 404"])
                return StaticSite(missing: "404 Not Found: the web root \(override) (--web-root) is not a directory.\n")
            }
            return StaticSite(root: override, logger: logger)
        }
        if let root = WebRoot.besideExecutable() { return StaticSite(root: root, logger: logger) }
        let expected = WebRoot.expectedBesideExecutable
        logger.warning(
            "web_pages_missing",
            [
                "expected": expected,
                "hint": "copy Lockstep_LockstepWeb.resources beside the executable or pass --web-root DIR",
            ])
        return StaticSite(
            missing: """
                404 Not Found: this server has no web pages installed.
                They are looked for in \(expected) (SwiftPM puts Lockstep_LockstepWeb.resources beside the \
                built executable: copy it along with the executable), or pass --web-root DIR (or --no-web).

                """)
    }
}
