/// The PEM files of an `ssl:` connection, as ovn-nbctl's `-p`, `-c` and `-C` name them.
public struct TLSFiles: Sendable, Hashable {
    public var privateKey: String
    public var certificate: String
    public var caCertificate: String

    public init(privateKey: String, certificate: String, caCertificate: String) {
        self.privateKey = privateKey
        self.certificate = certificate
        self.caCertificate = caCertificate
    }
}
