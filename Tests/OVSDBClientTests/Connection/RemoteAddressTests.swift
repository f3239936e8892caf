import Testing
@testable import OVSDBClient

@Suite("remote addresses")
struct RemoteAddressTests {
    @Test("ovn-nbctl spellings parse", arguments: [
        ("unix:/var/run/ovn/ovnnb_db.sock", RemoteAddress.unix(path: "/var/run/ovn/ovnnb_db.sock")),
        ("tcp:127.0.0.1:6641", .tcp(host: "127.0.0.1", port: 6641)),
        ("ssl:127.0.0.1:6643", .ssl(host: "127.0.0.1", port: 6643)),
        ("tcp:[::1]:6641", .tcp(host: "::1", port: 6641)),
        ("tcp:127.0.0.1", .tcp(host: "127.0.0.1", port: 6641)),
    ])
    func parses(text: String, expected: RemoteAddress) throws {
        #expect(try RemoteAddress(text) == expected)
        #expect(try RemoteAddress(expected.description) == expected)
    }

    @Test("a comma-separated list keeps its order")
    func list() throws {
        #expect(try RemoteAddress.list("tcp:127.0.0.1:6641, tcp:127.0.0.2:6641,unix:/x") ==
                [.tcp(host: "127.0.0.1", port: 6641), .tcp(host: "127.0.0.2", port: 6641), .unix(path: "/x")])
    }

    @Test("bad remotes are refused with a reason", arguments: [
        "127.0.0.1:6641", "http:1.2.3.4:80", "tcp::6641", "tcp:1.2.3.4:99999", "tcp:::1:6641", "unix:", "tcp:[::1", "",
    ])
    func refuses(text: String) {
        #expect(throws: OVSDBClientError.self) { try RemoteAddress.list(text) }
    }
}
