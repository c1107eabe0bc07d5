import Foundation
import Testing

@testable import LockstepBench

/// The soak reads gauges and a histogram's quantile over an interval from `/metrics` text.
@Suite struct ServerMetricsScrapeTests {
    static let first = """
        # HELP lockstep_rooms Rooms known to the server, by state.
        # TYPE lockstep_rooms gauge
        lockstep_rooms{state="waiting"} 2
        lockstep_rooms{state="running"} 120
        lockstep_rooms{state="ended"} 37
        lockstep_connections_open 611
        lockstep_tick_lateness_seconds_bucket{le="5e-05"} 900
        lockstep_tick_lateness_seconds_bucket{le="0.0001"} 990
        lockstep_tick_lateness_seconds_bucket{le="0.001"} 1000
        lockstep_tick_lateness_seconds_bucket{le="+Inf"} 1000
        lockstep_tick_lateness_seconds_count 1000

        """

    @Test func gaugesAreReadByTheirSeries() {
        let scrape = ServerMetricsScrape(Self.first)
        #expect(scrape.integer("lockstep_rooms{state=\"running\"}") == 120)
        #expect(scrape.integer("lockstep_rooms{state=\"ended\"}") == 37)
        #expect(scrape.integer("lockstep_connections_open") == 611)
        #expect(scrape.integer("lockstep_players_connected") == nil)
    }

    @Test func aFamilyIsSummedOverItsLabels() {
        let scrape = ServerMetricsScrape(Self.first + """
            lockstep_loop_iterations_total{loop="0"} 1500
            lockstep_loop_iterations_total{loop="1"} 250
            lockstep_loop_iterations_totally_other 7

            """)
        #expect(scrape.sum("lockstep_loop_iterations_total") == 1750)
        #expect(scrape.sum("lockstep_rooms") == 159)
        #expect(scrape.sum("lockstep_connections_open") == 611)
        #expect(scrape.sum("lockstep_absent") == nil)
    }

    @Test func aQuantileIsTheUpperBoundOfItsBucketOverTheInterval() {
        let first = ServerMetricsScrape(Self.first)
        // Since the start: 99 % of 1000 firings are within 100 µs.
        #expect(first.quantile(0.99, of: "lockstep_tick_lateness_seconds", since: nil) == 0.0001)
        // The next interval: 1000 more firings, 20 of them between 100 µs and 1 ms: p99 is in the 1 ms bucket.
        let second = ServerMetricsScrape(
            Self.first.replacingOccurrences(of: "} 900", with: "} 1800").replacingOccurrences(
                of: "} 990", with: "} 1970"
            )
            .replacingOccurrences(of: "} 1000", with: "} 2000"))
        #expect(second.quantile(0.99, of: "lockstep_tick_lateness_seconds", since: first) == 0.001)
        #expect(second.quantile(0.5, of: "lockstep_tick_lateness_seconds", since: first) == 0.00005)
        // Nothing observed in between: no quantile.
        #expect(first.quantile(0.99, of: "lockstep_tick_lateness_seconds", since: first) == nil)
    }

    @Test func aQuantileBeyondTheLastFiniteBoundIsUnknown() {
        let scrape = ServerMetricsScrape(
            """
            x_bucket{le="0.001"} 1
            x_bucket{le="+Inf"} 10

            """)
        #expect(scrape.quantile(0.99, of: "x", since: nil) == nil)
    }
}
