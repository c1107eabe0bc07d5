import LockstepCore
import LockstepServer
import Testing

/// The shared log histogram, shown to Prometheus: cumulative `le` buckets in seconds, `+Inf`,
/// `_sum` and `_count`, in the text format the endpoint has always written.
@Suite struct PrometheusHistogramTests {
    @Test func bucketsAreCumulativeAndTheLastEqualsTheCount() {
        var histogram = LatencyHistogram()
        for nanos: UInt64 in [3_000, 9_000, 10_000, 40_000, 700_000, 20_000_000] { histogram.record(nanos) }
        let text = PrometheusHistogram.samples(
            histogram, name: "t_seconds", labels: "loop=\"0\"", boundsMicroseconds: [10, 50, 1000, 2_500_000])
        #expect(text == """
            t_seconds_bucket{loop="0",le="0.00001"} 3
            t_seconds_bucket{loop="0",le="0.00005"} 4
            t_seconds_bucket{loop="0",le="0.001"} 5
            t_seconds_bucket{loop="0",le="2.5"} 6
            t_seconds_bucket{loop="0",le="+Inf"} 6
            t_seconds_sum{loop="0"} 0.020762
            t_seconds_count{loop="0"} 6

            """)
    }

    @Test func unlabelledSamplesCanKeepTheirBoundFormat() {
        var histogram = LatencyHistogram()
        histogram.record(1_500)
        let text = PrometheusHistogram.samples(
            histogram, name: "w", boundsMicroseconds: [1, 2], boundLabel: { "\(Double($0) / 1e6)" })
        #expect(text == "w_bucket{le=\"1e-06\"} 0\nw_bucket{le=\"2e-06\"} 1\nw_bucket{le=\"+Inf\"} 1\nw_sum 1.5e-06\nw_count 1\n")
    }
}
