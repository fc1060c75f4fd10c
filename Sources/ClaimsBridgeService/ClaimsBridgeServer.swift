/// The online API: translation, checks, claim submission and eligibility over HTTP.
public enum ClaimsBridgeServer {}
