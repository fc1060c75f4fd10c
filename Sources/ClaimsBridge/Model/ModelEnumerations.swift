// Named values from the CDAnet code tables (Mappings/cdanet/*/codes.yaml), as they appear in the JSON form.
// Each is a struct wrapping the name, so a name added to a code table later decodes without breaking a `switch`.

/// A named value from one of CDAnet's code tables, carried in the JSON form as its name (a JSON string).
///
/// Conforming types are structs rather than Swift enums, so a name added to a code table later decodes
/// without breaking anyone's `switch`: match the static members you handle and keep a `default:` case.
public protocol ModelEnumeration: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible
where RawValue == String {
    /// Wraps a name as it appears in the JSON form.
    init(rawValue: String)
    /// Every name the shipped code tables define, in code-table order.
    static var knownValues: [Self] { get }
}

extension ModelEnumeration {
    /// Decodes the name from a single JSON string; any name is accepted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(rawValue: try container.decode(String.self))
    }

    /// Encodes the name as a single JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The name, as in the JSON form.
    public var description: String { rawValue }

    /// Whether the shipped code tables define this name (and so whether it can be written to CDAnet).
    public var isKnown: Bool { Self.knownValues.contains(self) }
}

/// How a request is encrypted; in practice always `none` [A10].
public struct EncryptionMethod: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Not encrypted (code "1"); write `EncryptionMethod.none` in full where an optional is expected.
    public static let none = EncryptionMethod(rawValue: "none")
    /// CDAnet encryption method 1 (code "2").
    public static let cdanetStandard1 = EncryptionMethod(rawValue: "cdanetStandard1")
    /// CDAnet encryption method 2 (code "3").
    public static let cdanetStandard2 = EncryptionMethod(rawValue: "cdanetStandard2")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [EncryptionMethod] = [
        .none, .cdanetStandard1, .cdanetStandard2,
    ]
}

/// Whether the carrier holds more mail for the office [A11].
public struct Mailbox: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Items are waiting in the mailbox (code "Y", also read from "O").
    public static let itemsWaiting = Mailbox(rawValue: "itemsWaiting")
    /// Nothing is waiting (code "N").
    public static let empty = Mailbox(rawValue: "empty")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [Mailbox] = [
        .itemsWaiting, .empty,
    ]
}

/// The patient's relationship to the subscriber (policyholder) [C03, E06].
public struct Relationship: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The patient is the subscriber (code "1").
    public static let `self` = Relationship(rawValue: "self")
    /// The subscriber's spouse (code "2").
    public static let spouse = Relationship(rawValue: "spouse")
    /// The subscriber's child (code "3").
    public static let child = Relationship(rawValue: "child")
    /// The subscriber's common-law spouse (code "4").
    public static let commonLawSpouse = Relationship(rawValue: "commonLawSpouse")
    /// Another dependant (code "5").
    public static let other = Relationship(rawValue: "other")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [Relationship] = [
        .`self`, .spouse, .child, .commonLawSpouse, .other,
    ]
}

/// The patient's sex [C04].
public struct Sex: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Male (code "M").
    public static let male = Sex(rawValue: "male")
    /// Female (code "F").
    public static let female = Sex(rawValue: "female")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [Sex] = [
        .male, .female,
    ]
}

/// The insured's preferred language [D10, E16, G27].
public struct Language: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// English (code "E").
    public static let english = Language(rawValue: "english")
    /// French (code "F").
    public static let french = Language(rawValue: "french")
    /// Another language (code "A"; not in version 02).
    public static let other = Language(rawValue: "other")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [Language] = [
        .english, .french, .other,
    ]
}

/// Why an adult dependant is still covered [C09].
public struct EligibilityException: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A full-time student (code "1").
    public static let fullTimeStudent = EligibilityException(rawValue: "fullTimeStudent")
    /// A disabled dependant (code "2").
    public static let disabled = EligibilityException(rawValue: "disabled")
    /// A disabled student (code "3").
    public static let disabledStudent = EligibilityException(rawValue: "disabledStudent")
    /// No exception applies (code "4"; version 02: "0").
    public static let notApplicable = EligibilityException(rawValue: "notApplicable")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [EligibilityException] = [
        .fullTimeStudent, .disabled, .disabledStudent, .notApplicable,
    ]
}

/// A public plan that covers the patient [C12].
public struct PlanFlag: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Newfoundland Medical Care Plan (the plan record holds diagnostic and institution codes) (code "A").
    public static let newfoundlandMCP = PlanFlag(rawValue: "newfoundlandMCP")
    /// Veterans Affairs (code "V").
    public static let veteransAffairs = PlanFlag(rawValue: "veteransAffairs")
    /// Non-Insured Health Benefits (code "N").
    public static let nihb = PlanFlag(rawValue: "nihb")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [PlanFlag] = [
        .newfoundlandMCP, .veteransAffairs, .nihb,
    ]
}

/// Whether the patient has coverage with a second carrier [E18].
public struct SecondaryCoverageFlag: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// There is secondary coverage (code "Y", also read from "O").
    public static let yes = SecondaryCoverageFlag(rawValue: "yes")
    /// There is no secondary coverage (code "N").
    public static let no = SecondaryCoverageFlag(rawValue: "no")
    /// Not known (code "X").
    public static let unknown = SecondaryCoverageFlag(rawValue: "unknown")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [SecondaryCoverageFlag] = [
        .yes, .no, .unknown,
    ]
}

/// A yes-or-no answer [F05, G02 in version 02].
public struct YesNo: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Yes (code "Y", also read from "O").
    public static let yes = YesNo(rawValue: "yes")
    /// No (code "N").
    public static let no = YesNo(rawValue: "no")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [YesNo] = [
        .yes, .no,
    ]
}

/// Why the patient was referred to the treating dentist [B06].
public struct ReferralReason: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Not referred (code "00"); write `ReferralReason.none` in full where an optional is expected.
    public static let none = ReferralReason(rawValue: "none")
    /// Pathological anomalies (code "01").
    public static let pathologicalAnomalies = ReferralReason(rawValue: "pathologicalAnomalies")
    /// A disabled patient (code "02").
    public static let disabled = ReferralReason(rawValue: "disabled")
    /// Complexity of treatment (code "03").
    public static let complexityOfTreatment = ReferralReason(rawValue: "complexityOfTreatment")
    /// Seizure disorders (code "04").
    public static let seizureDisorders = ReferralReason(rawValue: "seizureDisorders")
    /// Extensive surgery (code "05").
    public static let extensiveSurgery = ReferralReason(rawValue: "extensiveSurgery")
    /// Surgical complexity (code "06").
    public static let surgicalComplexity = ReferralReason(rawValue: "surgicalComplexity")
    /// Rampant decay (code "07").
    public static let rampantDecay = ReferralReason(rawValue: "rampantDecay")
    /// Medical history (code "08").
    public static let medicalHistory = ReferralReason(rawValue: "medicalHistory")
    /// Temporomandibular joint anomalies (code "09").
    public static let tmjAnomalies = ReferralReason(rawValue: "tmjAnomalies")
    /// Accidental injury (code "10").
    public static let accidentalInjury = ReferralReason(rawValue: "accidentalInjury")
    /// Complications with anaesthesia (code "11").
    public static let anaesthesiaComplications = ReferralReason(rawValue: "anaesthesiaComplications")
    /// Developmental anomalies (code "12").
    public static let developmentalAnomalies = ReferralReason(rawValue: "developmentalAnomalies")
    /// Behaviour management (code "13").
    public static let behaviouralManagement = ReferralReason(rawValue: "behaviouralManagement")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [ReferralReason] = [
        .none, .pathologicalAnomalies, .disabled, .complexityOfTreatment, .seizureDisorders, .extensiveSurgery,
        .surgicalComplexity, .rampantDecay, .medicalHistory, .tmjAnomalies, .accidentalInjury,
        .anaesthesiaComplications, .developmentalAnomalies, .behaviouralManagement,
    ]
}
