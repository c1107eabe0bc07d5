import Foundation

/// A line chart drawn as a self-contained SVG string (no scripts, no external resources).
public struct SVGChart: Sendable {
    /// One line of the chart.
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// Draw the points as markers only, not joined (events, such as machine pauses).
        public var markersOnly = false

        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Logarithmic x axis (for latency CDFs spanning decades).
    public var logX = false
    /// Logarithmic y axis (for latencies that grow by orders of magnitude at saturation).
    public var logY = false
    /// Horizontal reference lines `(y, label)`, drawn dashed (a budget, a floor).
    public var references: [(y: Double, label: String)] = []

    private static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    public init(title: String, xLabel: String, yLabel: String, series: [Series], logX: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logX = logX
    }

    /// The chart as `<svg>…</svg>`.
    public func render(width: Double = 640, height: Double = 360) -> String {
        let left = 70.0, right = 150.0, top = 34.0, bottom = 48.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let all = series.flatMap(\.points).filter { usable($0) }
        func fx(_ x: Double) -> Double { logX ? log10(max(x, 1e-9)) : x }
        func fy(_ y: Double) -> Double { logY ? log10(max(y, 1e-9)) : y }
        var minX = all.map { fx($0.x) }.min() ?? 0, maxX = all.map { fx($0.x) }.max() ?? 1
        var minY = 0.0
        var maxY = max(all.map { fy($0.y) }.max() ?? 1, references.map { fy($0.y) }.max() ?? 0)
        if logX { minX = floor(minX); maxX = ceil(maxX) }
        if maxX <= minX { maxX = minX + 1 }
        if logY {
            minY = floor(min(all.map { fy($0.y) }.min() ?? 0, references.map { fy($0.y) }.min() ?? 0))
            maxY = ceil(maxY)
            if maxY <= minY { maxY = minY + 1 }
        } else {
            maxY = maxY <= 0 ? 1 : maxY * 1.08
        }
        func px(_ x: Double) -> Double { left + (fx(x) - minX) / (maxX - minX) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - (fy(y) - minY) / (maxY - minY) * plotHeight }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(Int(width / 2))" y="18" text-anchor="middle" font-size="14">\(Self.escape(title))</text>

            """
        // Axes and grid.
        svg += "<g stroke=\"#ccc\" stroke-width=\"1\">"
        let yTickValues: [Double]
        if logY {
            yTickValues = stride(from: minY, through: maxY, by: 1).map { pow(10, $0) }
        } else {
            yTickValues = (0...5).map { minY + (maxY - minY) * Double($0) / 5 }
        }
        for value in yTickValues {
            let y = py(value)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y))\"/>"
        }
        svg += "</g>\n"
        for value in yTickValues {
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(py(value) + 4))\" text-anchor=\"end\">\(Self.label(value))</text>"
        }
        let xTickValues: [Double]
        if logX {
            xTickValues = stride(from: minX, through: maxX, by: 1).map { pow(10, $0) }
        } else {
            xTickValues = (0...5).map { minX + (maxX - minX) * Double($0) / 5 }
        }
        for value in xTickValues {
            let x = px(value)
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(x))\" y2=\"\(f(top + plotHeight + 4))\" stroke=\"#333\"/>"
            svg += "<text x=\"\(f(x))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\">\(Self.label(value))</text>"
        }
        svg += "\n<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        svg += "<text transform=\"translate(16 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        for reference in references {
            let y = py(reference.y)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y))\" stroke=\"#888\" stroke-dasharray=\"5,4\"/>"
            svg += "<text x=\"\(f(left + plotWidth - 4))\" y=\"\(f(y - 4))\" text-anchor=\"end\" fill=\"#555\">\(Self.escape(reference.label))</text>\n"
        }
        // Lines and legend.
        for (index, line) in series.enumerated() {
            let color = Self.colors[index % Self.colors.count]
            let points = line.points.filter { usable($0) }
            let path = points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            if !line.markersOnly {
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\" points=\"\(path)\"/>\n"
            }
            if points.count <= 12 || line.markersOnly {
                for point in points {
                    svg += "<circle cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"3\" fill=\"\(color)\"/>"
                }
            }
            let legendY = top + 14 + Double(index) * 16
            svg += "<line x1=\"\(f(left + plotWidth + 10))\" y1=\"\(f(legendY - 4))\" x2=\"\(f(left + plotWidth + 28))\" "
                + "y2=\"\(f(legendY - 4))\" stroke=\"\(color)\" stroke-width=\"3\"/>"
            svg += "<text x=\"\(f(left + plotWidth + 32))\" y=\"\(f(legendY))\">\(Self.escape(line.name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    private func usable(_ point: (x: Double, y: Double)) -> Bool {
        point.x.isFinite && point.y.isFinite && (!logX || point.x > 0) && (!logY || point.y > 0)
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static func label(_ value: Double) -> String {
        if value >= 10_000 { return String(format: "%.0fk", value / 1000) }
        if value >= 10 || value == value.rounded() { return String(format: "%.0f", value) }
        return String(format: "%.2g", value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
