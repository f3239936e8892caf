import Testing
@testable import OVSDBClient

@Suite("stream framing")
struct StreamFramerTests {
    /// Feeds `chunks` the way a socket delivers them and returns the messages found.
    private func frame(_ chunks: [[UInt8]], limit: Int = StreamFramer.defaultMaximumMessageSize) throws(StreamFramer.Failure) -> [String] {
        var framer = StreamFramer(maximumMessageSize: limit)
        var buffer: [UInt8] = []
        var messages: [String] = []
        for chunk in chunks {
            buffer += chunk
            while true {
                let found: (message: Range<Int>, consumed: Int)?
                do {
                    found = try buffer.withUnsafeBytes { raw in try framer.nextMessage(in: raw) }
                } catch let e as StreamFramer.Failure {
                    throw e
                } catch {
                    fatalError("unexpected \(error)")
                }
                guard let (range, consumed) = found else { break }
                messages.append(String(decoding: buffer[range], as: UTF8.self))
                buffer.removeFirst(consumed)
            }
        }
        return messages
    }

    private let messages = [
        #"{"id":1,"result":["a}b","c{\"d\\"],"error":null}"#,
        #"[1,2,{"x":"]"}]"#,
        #"{"method":"update","params":[null,{"T":{"u":{"new":{"s":"\\\"{["}}}}],"id":null}"#,
        #"{}"#,
    ]

    @Test("whatever the chunking, the same messages come out")
    func randomChunking() throws {
        let stream = Array(messages.joined(separator: " \n").utf8)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            var chunks: [[UInt8]] = []
            var i = 0
            while i < stream.count {
                let n = Int.random(in: 1...17, using: &rng)
                chunks.append(Array(stream[i..<min(i + n, stream.count)]))
                i += n
            }
            #expect(try frame(chunks) == messages)
        }
        #expect(try frame(stream.map { [$0] }) == messages)
        #expect(try frame([stream]) == messages)
    }

    @Test("a message over the limit is an error, not unbounded memory")
    func tooLarge() {
        #expect(throws: StreamFramer.Failure.messageTooLarge(limit: 64)) {
            _ = try frame([Array(("{\"a\":\"" + String(repeating: "x", count: 100)).utf8)], limit: 64)
        }
    }

    @Test("bytes that cannot start a message are an error")
    func garbage() {
        #expect(throws: StreamFramer.Failure.unexpectedByte(UInt8(ascii: "x"), offset: 1)) {
            _ = try frame([Array("{} xyz".utf8)])
        }
        #expect(throws: StreamFramer.Failure.self) { _ = try frame([Array("{]]".utf8)]) }
    }
}
