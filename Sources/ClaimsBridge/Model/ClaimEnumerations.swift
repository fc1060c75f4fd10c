// Named values from the CDAnet code tables (Mappings/cdanet/*/codes.yaml), as they appear in the JSON form.
// Each is a struct wrapping the name, so a name added to a code table later decodes without breaking a `switch`.

/// Who the carrier pays [F01].
public struct Payee: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Pay the subscriber (code "1").
    public static let subscriber = Payee(rawValue: "subscriber")
    /// Another payee (code "2").
    public static let other2 = Payee(rawValue: "other2")
    /// Another payee (code "3"; not in version 02).
    public static let other3 = Payee(rawValue: "other3")
    /// Pay the dentist (code "4"; version 02: "0").
    public static let dentist = Payee(rawValue: "dentist")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [Payee] = [
        .subscriber, .other2, .other3, .dentist,
    ]
}

/// What the office sends the carrier separately from a request (version 04) [A08].
public struct MaterialsForwarded: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Sent separately: e-mail (code "E").
    public static let email = MaterialsForwarded(rawValue: "email")
    /// Sent separately: correspondence (code "C").
    public static let correspondence = MaterialsForwarded(rawValue: "correspondence")
    /// Sent separately: models (code "M").
    public static let models = MaterialsForwarded(rawValue: "models")
    /// Sent separately: x-rays (code "X").
    public static let xrays = MaterialsForwarded(rawValue: "xrays")
    /// Sent separately: images (code "I").
    public static let images = MaterialsForwarded(rawValue: "images")
    /// Sent separately: e-mail and correspondence (code "A").
    public static let emailCorrespondence = MaterialsForwarded(rawValue: "email+correspondence")
    /// Sent separately: e-mail and models (code "B").
    public static let emailModels = MaterialsForwarded(rawValue: "email+models")
    /// Sent separately: e-mail and X-rays (code "D").
    public static let emailXrays = MaterialsForwarded(rawValue: "email+xrays")
    /// Sent separately: e-mail and images (code "F").
    public static let emailImages = MaterialsForwarded(rawValue: "email+images")
    /// Sent separately: correspondence and models (code "G").
    public static let correspondenceModels = MaterialsForwarded(rawValue: "correspondence+models")
    /// Sent separately: correspondence and X-rays (code "H").
    public static let correspondenceXrays = MaterialsForwarded(rawValue: "correspondence+xrays")
    /// Sent separately: correspondence and images (code "J").
    public static let correspondenceImages = MaterialsForwarded(rawValue: "correspondence+images")
    /// Sent separately: models and X-rays (code "K").
    public static let modelsXrays = MaterialsForwarded(rawValue: "models+xrays")
    /// Sent separately: models and images (code "L").
    public static let modelsImages = MaterialsForwarded(rawValue: "models+images")
    /// Sent separately: x-rays and images (code "N").
    public static let xraysImages = MaterialsForwarded(rawValue: "xrays+images")
    /// Sent separately: e-mail, correspondence and models (code "O").
    public static let emailCorrespondenceModels = MaterialsForwarded(rawValue: "email+correspondence+models")
    /// Sent separately: e-mail, correspondence and X-rays (code "P").
    public static let emailCorrespondenceXrays = MaterialsForwarded(rawValue: "email+correspondence+xrays")
    /// Sent separately: e-mail, correspondence and images (code "Q").
    public static let emailCorrespondenceImages = MaterialsForwarded(rawValue: "email+correspondence+images")
    /// Sent separately: correspondence, models and X-rays (code "R").
    public static let correspondenceModelsXrays = MaterialsForwarded(rawValue: "correspondence+models+xrays")
    /// Sent separately: models, X-rays and images (code "T").
    public static let modelsXraysImages = MaterialsForwarded(rawValue: "models+xrays+images")
    /// Sent separately: e-mail, correspondence, models and X-rays (code "U").
    public static let emailCorrespondenceModelsXrays = MaterialsForwarded(rawValue: "email+correspondence+models+xrays")
    /// Sent separately: e-mail, correspondence, models and images (code "V").
    public static let emailCorrespondenceModelsImages =
        MaterialsForwarded(rawValue: "email+correspondence+models+images")
    /// Sent separately: e-mail, correspondence, X-rays and images (code "W").
    public static let emailCorrespondenceXraysImages = MaterialsForwarded(rawValue: "email+correspondence+xrays+images")
    /// Sent separately: correspondence, models, X-rays and images (code "Y").
    public static let correspondenceModelsXraysImages =
        MaterialsForwarded(rawValue: "correspondence+models+xrays+images")
    /// Sent separately: e-mail, correspondence, models, X-rays and images (code "Z").
    public static let emailCorrespondenceModelsXraysImages =
        MaterialsForwarded(rawValue: "email+correspondence+models+xrays+images")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [MaterialsForwarded] = [
        .email, .correspondence, .models, .xrays, .images, .emailCorrespondence, .emailModels, .emailXrays,
        .emailImages, .correspondenceModels, .correspondenceXrays, .correspondenceImages, .modelsXrays, .modelsImages,
        .xraysImages, .emailCorrespondenceModels, .emailCorrespondenceXrays, .emailCorrespondenceImages,
        .correspondenceModelsXrays, .modelsXraysImages, .emailCorrespondenceModelsXrays,
        .emailCorrespondenceModelsImages, .emailCorrespondenceXraysImages, .correspondenceModelsXraysImages,
        .emailCorrespondenceModelsXraysImages,
    ]
}

/// Whether an e-mail or a letter follows a message (version 02) [A08, G09].
public struct EmailFlag: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Nothing follows (code "0"); write `EmailFlag.none` in full where an optional is expected.
    public static let none = EmailFlag(rawValue: "none")
    /// An e-mail follows (code "1").
    public static let emailToFollow = EmailFlag(rawValue: "emailToFollow")
    /// A letter follows (code "2").
    public static let letterToFollow = EmailFlag(rawValue: "letterToFollow")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [EmailFlag] = [
        .none, .emailToFollow, .letterToFollow,
    ]
}

/// Whether a crown, bridge or denture is placed for the first time [F15, F18].
public struct InitialPlacement: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// First placement (code "Y", also read from "O").
    public static let yes = InitialPlacement(rawValue: "yes")
    /// A replacement; the prior placement date says when the old one was placed (code "N").
    public static let no = InitialPlacement(rawValue: "no")
    /// Not a crown, bridge or denture (code "X").
    public static let notApplicable = InitialPlacement(rawValue: "notApplicable")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [InitialPlacement] = [
        .yes, .no, .notApplicable,
    ]
}

/// What a prosthesis is made of [F20, F21].
public struct ProsthesisMaterial: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// No prosthesis (code "0").
    public static let notApplicable = ProsthesisMaterial(rawValue: "notApplicable")
    /// Fixed bridge (code "1").
    public static let fixedBridge = ProsthesisMaterial(rawValue: "fixedBridge")
    /// Maryland bridge (code "2").
    public static let marylandBridge = ProsthesisMaterial(rawValue: "marylandBridge")
    /// Acrylic denture (code "3").
    public static let acrylicDenture = ProsthesisMaterial(rawValue: "acrylicDenture")
    /// Chrome-cobalt denture (code "4").
    public static let chromeCobaltDenture = ProsthesisMaterial(rawValue: "chromeCobaltDenture")
    /// Fixed implant (code "5").
    public static let fixedImplant = ProsthesisMaterial(rawValue: "fixedImplant")
    /// Removable implant (code "6").
    public static let removableImplant = ProsthesisMaterial(rawValue: "removableImplant")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [ProsthesisMaterial] = [
        .notApplicable, .fixedBridge, .marylandBridge, .acrylicDenture, .chromeCobaltDenture, .fixedImplant,
        .removableImplant,
    ]
}

/// Who made the attached files [F43].
public struct AttachmentSource: ModelEnumeration {
    /// The name as it appears in the JSON form.
    public let rawValue: String

    /// Wraps a name as it appears in the JSON form; names the code table does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Produced by the practice software (code "I").
    public static let `internal` = AttachmentSource(rawValue: "internal")
    /// Supplied by the user (code "U").
    public static let user = AttachmentSource(rawValue: "user")

    /// Every name the shipped code tables define, in code-table order.
    public static let knownValues: [AttachmentSource] = [
        .`internal`, .user,
    ]
}

extension MaterialsForwarded {
    /// The single kinds of material this name combines: "email+xrays" gives `[.email, .xrays]`.
    public var parts: [MaterialsForwarded] {
        rawValue.split(separator: "+").map { MaterialsForwarded(rawValue: String($0)) }
    }
}
