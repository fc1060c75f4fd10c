import ArgumentParser

/// Options of the lab translations.
struct LabFormatOptions: ParsableArguments {
    @Option(
        help:
            "The known lab orders, as JSON Lines of labOrder objects with their current status (for --from lab:NAME-status)."
    )
    var orders: String?
}
