import SwitchboardCore
import ContactEngine
import ArgumentParser
import Foundation
import Switchboard

/// `switchboard hash-password`: reads a password on standard input and prints the hash for `local.agents[].passwordHash`.
struct HashPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Read a password on standard input (its first line) and print a salted, slow hash for local.agents[].passwordHash.")

    func run() async throws {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("no password on standard input")
        }
        print(try PasswordHash.make(line))
    }
}
