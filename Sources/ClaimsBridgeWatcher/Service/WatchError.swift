/// A problem with the watcher's folders or state, in words an operator can act on.
public struct WatchError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
