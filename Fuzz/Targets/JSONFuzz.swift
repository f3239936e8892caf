import OVSDBClient

/// jansson decode, then encode and decode again: the value must come back the same; the
/// direct reader must accept exactly what jansson accepts, with the same value; the direct
/// writer must give jansson's bytes; the canonical printer must not fail.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let value = try? JanssonCodec.decode(bytes)
    let read = try? JSONReader.decode(bytes)
    precondition(read == value, "the direct reader and jansson disagree")
    guard let value else { return 0 }
    let again = try? JanssonCodec.decode(JanssonCodec.encode(value))
    precondition(again == value, "jansson round trip changed the value")
    precondition(JSONWriter.encode(value) == JanssonCodec.encode(value), "the direct writer differs from jansson")
    _ = CanonicalJSON.string(value)
    return 0
}
