import EgressPolicy
import OVSDBClient

/// Writes rows as an aligned table, CSV or JSON (an array of objects keyed by heading).
struct Listing {
    var headings: [String]
    var rows: [[String]]

    /// Cells can hold what another writer put in the database: in table and CSV output they
    /// are escaped to one line of printable ASCII (JSON escapes by itself).
    func render(_ options: OutputOptions) -> String {
        let rows = options.format == .json ? self.rows : self.rows.map { $0.map { SafeText.escaped($0) } }
        switch options.format {
        case .json:
            return CanonicalJSON.objects(keys: headings, rows: rows) + "\n"
        case .csv:
            let all = (options.noHeadings ? [] : [headings]) + rows
            return all.map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\n") + (all.isEmpty ? "" : "\n")
        case .table:
            let all = (options.noHeadings ? [] : [headings]) + rows
            var widths = headings.map { _ in 0 }
            for r in all { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
            return all.map { r in
                r.enumerated().map { i, c in i == r.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count) }
                    .joined(separator: "  ")
            }.joined(separator: "\n") + (all.isEmpty ? "" : "\n")
        }
    }

    private static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences("\"", "\"\"") + "\"" : s
    }
}

extension String {
    func replacingOccurrences(_ a: String, _ b: String) -> String {
        split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
    }
}
