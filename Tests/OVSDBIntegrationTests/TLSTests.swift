import Foundation
import Testing
import OVSDBClient
import OVSDBTestSupport

/// A CA and a certificate signed by it, made with openssl for one test.
private struct TestPKI {
    let directory: String
    func path(_ name: String) -> String { directory + "/" + name }

    static func make(in directory: String) async throws -> TestPKI {
        let pki = TestPKI(directory: directory)
        func openssl(_ args: [String]) async throws { _ = try await OVSDBServerFixture.runOffPool("/usr/bin/openssl", args) }
        for ca in ["ca", "otherca"] {
            try await openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=\(ca)",
                         "-keyout", pki.path("\(ca)-key.pem"), "-out", pki.path("\(ca)-cert.pem")])
        }
        for peer in ["server", "client"] {
            try await openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(peer)",
                         "-keyout", pki.path("\(peer)-key.pem"), "-out", pki.path("\(peer)-req.pem")])
            try await openssl(["x509", "-req", "-in", pki.path("\(peer)-req.pem"), "-days", "2",
                         "-CA", pki.path("ca-cert.pem"), "-CAkey", pki.path("ca-key.pem"), "-CAcreateserial",
                         "-out", pki.path("\(peer)-cert.pem")])
        }
        return pki
    }
}

@Suite("ssl remotes")
struct TLSTests {
    @Test("ssl: with the right CA works; a wrong CA is refused with a clear error")
    func sslRemote() async throws {
        var template = Array("/tmp/ovsdb-pki.XXXXXX".utf8CString)
        let dir = String(cString: mkdtemp(&template)!)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pki = try await TestPKI.make(in: dir)
        try await withServer(extraArguments: [
            "--private-key=\(pki.path("server-key.pem"))", "--certificate=\(pki.path("server-cert.pem"))",
            "--ca-cert=\(pki.path("ca-cert.pem"))", "--remote=pssl:0:127.0.0.1",
        ]) { server in
            let port = try await listeningPort(server)
            let good = TLSFiles(privateKey: pki.path("client-key.pem"), certificate: pki.path("client-cert.pem"),
                                caCertificate: pki.path("ca-cert.pem"))
            let connection = try await OVSDBConnection.connect(to: "ssl:127.0.0.1:\(port)", configuration: .init(tls: good))
            #expect(try await connection.listDatabases().contains("OVN_Northbound"))
            _ = try await connection.transact("OVN_Northbound", [
                .insert(table: "Logical_Router", row: Row(["name": .scalar("over-tls")])),
            ])
            await connection.close()
            #expect(try await server.nbctl(["lr-list"]).contains("over-tls"))

            let wrongCA = TLSFiles(privateKey: pki.path("client-key.pem"), certificate: pki.path("client-cert.pem"),
                                   caCertificate: pki.path("otherca-cert.pem"))
            await #expect {
                _ = try await OVSDBConnection.connect(to: "ssl:127.0.0.1:\(port)", configuration: .init(tls: wrongCA))
            } throws: { error in
                guard case OVSDBClientError.connectionFailed(let remote, let reason) = error else { return false }
                return remote == "ssl:127.0.0.1:\(port)" && reason.lowercased().contains("certificate")
            }

            await #expect {
                _ = try await OVSDBConnection.connect(to: "ssl:127.0.0.1:\(port)")
            } throws: { error in
                guard case OVSDBClientError.tlsConfiguration = error else { return false }
                return true
            }
        }
    }
}
