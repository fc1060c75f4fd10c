/// A CDAnet carrier that runs on loopback: it answers claims, eligibility, predeterminations,
/// reversals and mailbox requests from a plan table, for tests, demos and integrators.
public enum CarrierSimulator {}
