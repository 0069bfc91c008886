/// The shells whose prompt can show waiting reminders, and how each quotes a word.
public enum Shell: String, CaseIterable, Sendable {
    case bash, zsh, fish

    /// `word` as one argument for this shell: as it is when it holds only characters no shell
    /// treats specially, else in single quotes.
    public func quoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "@+:,./_-".unicodeScalars.contains(scalar))
        }
        if plain { return word }
        switch self {
        case .bash, .zsh:
            // Nothing is special inside single quotes but the quote itself, which is closed,
            // escaped and reopened.
            return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
        case .fish:
            // fish reads \\ and \' inside single quotes.
            return "'" + word.replacingOccurrences(of: #"\"#, with: #"\\"#).replacingOccurrences(of: "'", with: #"\'"#) + "'"
        }
    }

    /// The line for this shell's start-up file (~/.bashrc, ~/.zshrc,
    /// ~/.config/fish/config.fish) that runs `flare remind pending` before each prompt; `flare`
    /// is the program's path. It keeps whatever the prompt already runs.
    public func promptHook(flare: String) -> String {
        let pending = quoted(flare) + " remind pending"
        switch self {
        case .bash:
            // PROMPT_COMMAND is a string bash runs as a command, so the command goes in double quotes.
            let escaped = ["\\", "\"", "$", "`"].reduce(pending) { $0.replacingOccurrences(of: $1, with: "\\" + $1) }
            return "PROMPT_COMMAND=\"\(escaped)${PROMPT_COMMAND:+; $PROMPT_COMMAND}\""
        case .zsh:
            return "_flare_remind_pending() { \(pending); }; precmd_functions+=(_flare_remind_pending)"
        case .fish:
            return "function _flare_remind_pending --on-event fish_prompt; \(pending); end"
        }
    }
}
