#if canImport(Glibc)
import Glibc
#endif
import OVSDBClient
import OVSDBModelGen

// ovsdb-modelgen SCHEMA.ovsschema OUTPUT-DIR
// Writes one Swift file per table, plus one for the schema's identity, into OUTPUT-DIR.

func fail(_ message: String) -> Never {
    let text = Array("ovsdb-modelgen: \(message)\n".utf8)
    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

let args = Array(CommandLine.arguments.dropFirst())
guard args.count == 2 else { fail("usage: ovsdb-modelgen SCHEMA.ovsschema OUTPUT-DIR") }
let (schemaPath, outputDir) = (args[0], args[1])
let files: [String: String]
do {
    files = try ModelGenerator.generate(schemaFile: schemaPath)
} catch {
    fail("\(schemaPath): \(error)")
}
mkdir(outputDir, 0o755)
for (name, text) in files.sorted(by: { $0.key < $1.key }) {
    let path = outputDir + "/" + name
    guard let f = fopen(path, "w") else { fail("cannot write \(path)") }
    fputs(text, f)
    fclose(f)
}
print("wrote \(files.count) files to \(outputDir)")
