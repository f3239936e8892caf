import OVNSchema
import OVSDBClient

extension Plan {
    /// Removes one service's rows: its policies, and its endpoint IPs from the address sets
    /// unless another service still has a policy for the same IP. Nothing else changes.
    public init(removing owner: String, live: LiveState, settings: EngineSettings) throws(EngineError) {
        var emptySettings = settings
        emptySettings.families = []
        try self.init(desired: DesiredState(ClusterInput(), settings: emptySettings), live: live, settings: settings,
                      scope: .services([owner]))
        hosts = [:]
        kept = []
        noRerouteAdditions = []
        for i in removals.indices { removals[i].reason = "deleted" }
        let stillUsed = Set(live.claims(outside: [owner]).keys)
        let drop = Set(removals.compactMap { LiveState.sourceIP(of: $0.match) }).subtracting(stillUsed)
        for (name, set) in live.addressSets.sorted(by: { $0.key < $1.key }) {
            let members = drop.filter { set.addresses.contains($0.description) }.sorted()
            guard let family = members.first?.family else { continue }
            addressChanges.append(AddressChange(name: name, family: family, uuid: set.uuid, add: [], remove: members.map(\.description)))
        }
    }
}
