/// Text made safe for HTML and SVG: the five characters that could open markup are escaped,
/// and control characters other than newline and tab are dropped (journal text comes from any
/// device of the vault, so a note must never become markup).
func escaped(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": result += "&amp;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        case "\"": result += "&quot;"
        case "'": result += "&#39;"
        case "\n", "\t": result.unicodeScalars.append(scalar)
        default:
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}

/// A coordinate for SVG: at most two decimals, no exponent.
func coordinate(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    return String(rounded)
}

/// An HTML table from rows, the first row its header.
func table(_ rows: [[String]], classes: String = "") -> String {
    guard let header = rows.first else { return "" }
    var html = "<table\(classes.isEmpty ? "" : " class=\"\(classes)\"")><thead><tr>"
    html += header.map { "<th>\(escaped($0))</th>" }.joined()
    html += "</tr></thead><tbody>"
    for row in rows.dropFirst() { html += "<tr>" + row.map { "<td>\(escaped($0))</td>" }.joined() + "</tr>" }
    return html + "</tbody></table>"
}
