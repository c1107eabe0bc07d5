import LockstepCore
import Synchronization
import Testing
@testable import LockstepServer

@Suite struct LoggerTests {
    @Test func linesAreKeyValueWithQuotedValuesAndLevelFiltering() {
        let lines = Mutex<[String]>([])
        let logger = Logger(level: .info) { line in lines.withLock { $0.append(line) } }
        logger.debug("hidden", ["x": 1])
        logger.warning("slow_reader", ["conn": 7, "reason": "queue full", "path": "/echo"])
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        #expect(written[0].hasPrefix("ts="))
        #expect(written[0].hasSuffix(" level=warning event=slow_reader conn=7 reason=\"queue full\" path=/echo\n"))
    }

    @Test func fieldsAreNotEvaluatedBelowTheLevel() {
        let logger = Logger(level: .error) { _ in }
        var evaluated = false
        func expensive() -> Int { evaluated = true; return 1 }
        logger.info("event", ["value": expensive()])
        #expect(!evaluated)
    }

    @Test func levelNamesParse() {
        #expect(LogLevel(name: "WARN") == .warning)
        #expect(LogLevel(name: "loud") == nil)
    }
}
