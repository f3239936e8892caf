/// OVN-Kubernetes names address sets `a` + the decimal FNV-1a 64-bit hash of their id.
public enum AddressSetNames {
    public static func hashedName(_ id: String) -> String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 1_099_511_628_211
        }
        return "a\(hash)"
    }

    public static let controller = "default-network-controller"

    public static func egressServiceID(_ family: IPAddress.Family) -> String {
        "\(controller):EgressService:egresssvc-served-pods:\(family.rawValue)"
    }

    public static func egressIPServedPodsID(_ family: IPAddress.Family, _ profile: EngineSettings.Profile) -> String {
        switch profile {
        case .v2023: return "\(controller):EgressIP:egressip-served-pods:\(family.rawValue)"
        case .v2024, .v2025: return "\(controller):EgressIP:egressip-served-pods:\(family.rawValue):default"
        }
    }

    public static func nodeIPsID(_ family: IPAddress.Family, _ profile: EngineSettings.Profile) -> String {
        switch profile {
        case .v2023: return "\(controller):EgressIP:node-ips:\(family.rawValue)"
        case .v2024: return "\(controller):EgressIP:node-ips:\(family.rawValue):default"
        case .v2025: return "\(controller):ClusterNodeIPs:node-ips:\(family.rawValue)"
        }
    }
}
