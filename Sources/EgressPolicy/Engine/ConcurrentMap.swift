/// Runs `body` for each index at once (one task each) and returns the results in index order.
/// Tasks rather than a task group: the group's tuple results were miscompiled in a release
/// build of a generic caller (an index out of range), and this needs no tuple.
public func concurrentResults<Value: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) async -> Value) async -> [Value] {
    let tasks = (0..<count).map { i in Task { await body(i) } }
    return await withTaskCancellationHandler {
        var out: [Value] = []
        out.reserveCapacity(count)
        for t in tasks { out.append(await t.value) }
        return out
    } onCancel: {
        for t in tasks { t.cancel() }
    }
}
