import CoreMetrics

/// The controller's counters and gauges, made by one factory (a Prometheus registry in
/// `ovn-egressctl run`; no global metrics system is assumed).
struct ControllerMetrics: Sendable {
    let reconciles: Counter
    let transactions: Counter
    let writeOperations: Counter
    let driftRepairs: Counter
    let errors: Counter
    let conflicts: Counter
    let lastDuration: Gauge
    let lockHolder: Gauge
    let connected: Gauge
    let ownedPolicies: Gauge
    let objects: Gauge

    init(factory: any MetricsFactory) {
        reconciles = Counter(label: "ovn_egressctl_reconciles_total", factory: factory)
        transactions = Counter(label: "ovn_egressctl_transactions_total", factory: factory)
        writeOperations = Counter(label: "ovn_egressctl_write_operations_total", factory: factory)
        driftRepairs = Counter(label: "ovn_egressctl_drift_repairs_total", factory: factory)
        errors = Counter(label: "ovn_egressctl_reconcile_errors_total", factory: factory)
        conflicts = Counter(label: "ovn_egressctl_conflicts_total", factory: factory)
        lastDuration = Gauge(label: "ovn_egressctl_last_reconcile_duration_seconds", factory: factory)
        lockHolder = Gauge(label: "ovn_egressctl_lock_holder", factory: factory)
        connected = Gauge(label: "ovn_egressctl_connected", factory: factory)
        ownedPolicies = Gauge(label: "ovn_egressctl_owned_policies", factory: factory)
        objects = Gauge(label: "ovn_egressctl_input_objects", factory: factory)
    }
}
