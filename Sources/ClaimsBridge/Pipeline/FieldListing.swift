/// Writes every field of a decoded message as a readable table: offset, width, ID, name and value.
///
/// Personal-data values are replaced by a note unless `showPersonalData` is set.
enum FieldListing {
    static func append(
        record: DecodedRecord, layout: RecordLayout, message: UnsafeBufferPointer<UInt8>, offset: Int,
        catalog: CDAnetCatalog, showPersonalData: Bool, indent: String, to out: inout [UInt8]
    ) {
        let direction = layout.isRequest ? "request" : "response"
        line(
            "\(indent)message at byte \(offset): version \(layout.version), transaction \(layout.transaction) \(layout.title) (\(direction)), \(message.count) bytes",
            to: &out)
        line("\(indent)  offset  width  field  name                                      value", to: &out)
        for item in layout.items {
            switch item {
            case .field(let field):
                appendField(
                    field, instance: 0, record, layout, message, offset, catalog, showPersonalData, indent, &out)
            case .group(let group):
                let spec = layout.groups[group]
                for instance in 0..<Int(record.groupCount[group]) {
                    let label = spec.kind == .conditional ? spec.name : "\(spec.name)[\(instance + 1)]"
                    line("\(indent)  \(label):", to: &out)
                    for field in spec.fields {
                        appendField(
                            field, instance: instance, record, layout, message, offset, catalog, showPersonalData,
                            indent + "  ", &out)
                    }
                }
            }
        }
        out.append(0x0A)
    }

    private static func appendField(
        _ index: Int, instance: Int, _ record: DecodedRecord, _ layout: RecordLayout,
        _ message: UnsafeBufferPointer<UInt8>, _ offset: Int, _ catalog: CDAnetCatalog, _ showPersonalData: Bool,
        _ indent: String, _ out: inout [UInt8]
    ) {
        guard let range = record.range(of: index, instance: instance) else { return }
        let field = layout.fields[index]
        let start = range.lowerBound
        let bytes = UnsafeBufferPointer(rebasing: message[range])
        let value: String
        if field.isEmbedded {
            value = bytes.isEmpty ? "(none)" : "(embedded message, listed below)"
        } else if field.isPersonal && !showPersonalData {
            value = "(personal data hidden; --show-personal-data shows it)"
        } else {
            var utf8: [UInt8] = [UInt8(ascii: "\"")]
            CodePage850.appendUTF8(of: bytes, to: &utf8)
            utf8.append(UInt8(ascii: "\""))
            value = String(decoding: utf8, as: UTF8.self)
        }
        let name = field.isFiller ? "(reserved)" : field.name
        line(
            indent + pad(String(offset + start), 8, left: true) + pad(String(range.count), 7, left: true) + "  "
                + pad(field.isFiller ? "-" : field.id, 5) + "  " + pad(name, 42) + value, to: &out)
        if field.isEmbedded, !bytes.isEmpty,
            let mapping = try? catalog.mappingForMessage(bytes, baseOffset: offset + start)
        {
            let nested = DecodedRecord()
            if (try? FixedWidthDecoder(layout: mapping.layout).decode(bytes, baseOffset: offset + start, into: nested))
                != nil
            {
                append(
                    record: nested, layout: mapping.layout, message: bytes, offset: offset + start, catalog: catalog,
                    showPersonalData: showPersonalData, indent: indent + "    ", to: &out)
            }
        }
    }

    private static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return left ? padding + text : text + padding
    }

    private static func line(_ text: String, to out: inout [UInt8]) {
        out.append(contentsOf: text.utf8)
        out.append(0x0A)
    }
}
