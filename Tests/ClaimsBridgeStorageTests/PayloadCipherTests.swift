import ClaimsBridgeStorage
import Foundation
import Testing

@Suite("Payload encryption")
struct PayloadCipherTests {
    static let keyOne = try! PayloadKey(id: "k1", text: String(repeating: "11", count: 32))
    static let keyTwo = try! PayloadKey(id: "k2", text: Data(repeating: 0x22, count: 32).base64EncodedString())
    let claim = Array("ITRANS Tremblay Marc TR8830021".utf8)

    @Test("A payload encrypts and decrypts; the stored bytes hold neither the plaintext nor the key")
    func roundTrip() throws {
        let cipher = try PayloadCipher(currentKey: Self.keyOne)
        let sealed = cipher.seal(claim, binding: Array("row 1".utf8))
        #expect(PayloadCipher.isSealed(sealed) && PayloadCipher.keyID(of: sealed) == "k1")
        #expect(sealed.firstRange(of: Array("Tremblay".utf8)) == nil)
        #expect(try cipher.open(sealed, binding: Array("row 1".utf8)) == claim)
        // A fresh nonce each time: the same payload never gives the same bytes.
        #expect(cipher.seal(claim, binding: Array("row 1".utf8)) != sealed)
        #expect(try cipher.open(cipher.seal([], binding: []), binding: []) == [])
    }

    @Test("Bytes moved to another row, or altered anywhere, are reported as tampered")
    func tampering() throws {
        let cipher = try PayloadCipher(currentKey: Self.keyOne)
        let sealed = cipher.seal(claim, binding: Array("row 1".utf8))
        #expect(throws: PayloadCipherError(.tampered, keyID: "k1")) { try cipher.open(sealed, binding: Array("row 2".utf8)) }
        for index in [4, 8, sealed.count / 2, sealed.count - 1] {
            var altered = sealed
            altered[index] ^= 0x01
            #expect(throws: PayloadCipherError.self) { try cipher.open(altered, binding: Array("row 1".utf8)) }
        }
        #expect(throws: PayloadCipherError(.damaged, keyID: nil)) { try cipher.open(Array(sealed.prefix(12))) }
    }

    @Test("After rotation new payloads use the new key and old ones still read; a missing key is named, not called corrupt")
    func rotationAndMissingKey() throws {
        let old = try PayloadCipher(currentKey: Self.keyOne).seal(claim)
        let rotated = try PayloadCipher(currentKey: Self.keyTwo, previousKeys: [Self.keyOne])
        #expect(try rotated.open(old) == claim)
        #expect(PayloadCipher.keyID(of: rotated.seal(claim)) == "k2")
        let newOnly = try PayloadCipher(currentKey: Self.keyTwo)
        let error = #expect(throws: PayloadCipherError.self) { try newOnly.open(old) }
        #expect(error?.kind == .keyMissing)
        #expect(error?.description.contains("payload encrypted with key id k1, which is not configured") == true)
        #expect(throws: PayloadKeyError.self) { try PayloadCipher(currentKey: Self.keyOne, previousKeys: [Self.keyOne]) }
    }

    @Test("Plaintext stored before encryption was switched on reads as it is")
    func plaintextPassesThrough() throws {
        #expect(try PayloadCipher(currentKey: Self.keyOne).open(claim) == claim)
        #expect(!PayloadCipher.isSealed(claim))
    }

    @Test("Keys are 32 bytes in base64 or hex; anything else is refused without showing the key")
    func keyFormats() throws {
        let base64 = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        #expect(throws: Never.self) { try PayloadKey(id: "k1", text: base64 + "\n") }
        #expect(throws: Never.self) { try PayloadKey(id: "k1", text: String(repeating: "aB", count: 32)) }
        let short = Data(repeating: 7, count: 16).base64EncodedString()
        for text in [short, "secret-passphrase", String(repeating: "zz", count: 32), ""] {
            let error = #expect(throws: PayloadKeyError.self) { try PayloadKey(id: "k1", text: text) }
            #expect(error?.description.contains("32 bytes") == true)
            if !text.isEmpty { #expect(error?.description.contains(text) == false) }
        }
        #expect(throws: PayloadKeyError.self) { try PayloadKey(id: "bad id", text: base64) }
    }
}
