/// The patient who received (or will receive) the treatment.
public struct Patient: Sendable, Hashable, Codable {
    /// Patient's last name [C06].
    public var lastName: String?
    /// Patient's first name [C07].
    public var firstName: String?
    /// Patient's middle initial [C08].
    public var middleInitial: String?
    /// Patient's sex [C04].
    public var sex: Sex?
    /// Patient's date of birth [C05].
    public var birthDate: CalendarDate?
    /// Why an adult dependant is still covered, or `notApplicable` [C09].
    public var eligibilityException: EligibilityException?
    /// Name of the school a student dependant attends [C10].
    public var school: String?

    /// A patient; all optional.
    public init(
        lastName: String? = nil, firstName: String? = nil, middleInitial: String? = nil, sex: Sex? = nil,
        birthDate: CalendarDate? = nil, eligibilityException: EligibilityException? = nil, school: String? = nil
    ) {
        self.lastName = lastName
        self.firstName = firstName
        self.middleInitial = middleInitial
        self.sex = sex
        self.birthDate = birthDate
        self.eligibilityException = eligibilityException
        self.school = school
    }
}

/// The subscriber: the policyholder whose plan covers the patient.
public struct Subscriber: Sendable, Hashable, Codable {
    /// Subscriber's last name [D02; secondary E08].
    public var lastName: String?
    /// Subscriber's first name [D03; secondary E09].
    public var firstName: String?
    /// Subscriber's middle initial [D04; secondary E10].
    public var middleInitial: String?
    /// Subscriber's date of birth [D01; secondary E04].
    public var birthDate: CalendarDate?
    /// Subscriber's mailing address [D05–D09; secondary E11–E15].
    public var address: Address?
    /// Subscriber's preferred language [D10; secondary E16].
    public var language: Language?

    /// A subscriber; all optional.
    public init(
        lastName: String? = nil, firstName: String? = nil, middleInitial: String? = nil,
        birthDate: CalendarDate? = nil, address: Address? = nil, language: Language? = nil
    ) {
        self.lastName = lastName
        self.firstName = firstName
        self.middleInitial = middleInitial
        self.birthDate = birthDate
        self.address = address
        self.language = language
    }
}

/// A subscriber's mailing address.
public struct Address: Sendable, Hashable, Codable {
    /// First address line [D05; secondary E11].
    public var line1: String?
    /// Second address line [D06; secondary E12].
    public var line2: String?
    /// City [D07; secondary E13].
    public var city: String?
    /// Two-letter province or state code [D08; secondary E14].
    public var province: String?
    /// Postal or ZIP code, without spaces [D09; secondary E15].
    public var postalCode: String?

    /// An address; all optional.
    public init(
        line1: String? = nil, line2: String? = nil, city: String? = nil, province: String? = nil,
        postalCode: String? = nil
    ) {
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.province = province
        self.postalCode = postalCode
    }
}
