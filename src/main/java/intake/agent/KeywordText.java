package intake.agent;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/** Text normalized for whole-word keyword matching: lowercase, no accents, single spaces, punctuation as {@code |}. */
final class KeywordText {

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final String BREAK = "|";

    private KeywordText() {
    }

    /** The text as {@code " word word | word "}, padded so every word has a space on each side. */
    static String normalize(String text) {
        // Spaces, tabs, hyphens, apostrophes and slashes join the words of a phrase ("charge-back"
        // is "charge back", "can't" is "can t"); any other non-letter, non-digit (".", ",", "!", a
        // line break, an emoji) becomes a "|" token, so "legal. Action" is not "legal action".
        if (text == null || text.isEmpty()) {
            return " ";
        }
        // Lowercase before decomposing: "İ" lowercases to "i" plus a combining dot, which the
        // mark removal then drops. NFKD also folds ligatures and full-width letters to plain ones.
        String folded = Normalizer.normalize(text.toLowerCase(Locale.ROOT), Normalizer.Form.NFKD);
        folded = MARKS.matcher(folded).replaceAll("");
        StringBuilder out = new StringBuilder(folded.length() + 2).append(' ');
        boolean inWord = false;
        boolean lastWasBreak = true; // no break token at the very start
        for (int i = 0; i < folded.length(); ) {
            int cp = folded.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetterOrDigit(cp)) {
                out.appendCodePoint(cp);
                inWord = true;
                lastWasBreak = false;
            } else if (joinsWords(cp)) {
                if (inWord) {
                    out.append(' ');
                    inWord = false;
                }
            } else {
                if (inWord) {
                    out.append(' ');
                    inWord = false;
                }
                if (!lastWasBreak) {
                    out.append(BREAK).append(' ');
                    lastWasBreak = true;
                }
            }
        }
        if (inWord) {
            out.append(' ');
        }
        return out.toString();
    }

    /** A keyword or phrase in the same form, without the outer spaces; empty when it has no word. */
    static String keyword(String keyword) {
        String normalized = normalize(keyword).trim();
        // Trailing or leading punctuation ("legal action.") is not part of the phrase.
        while (normalized.startsWith(BREAK)) {
            normalized = normalized.substring(1).trim();
        }
        while (normalized.endsWith(BREAK)) {
            normalized = normalized.substring(0, normalized.length() - 1).trim();
        }
        return normalized;
    }

    /** How often a normalized keyword occurs as whole words in normalized text. */
    static int count(String normalizedText, String normalizedKeyword) {
        if (normalizedKeyword.isEmpty()) {
            return 0;
        }
        String needle = ' ' + normalizedKeyword + ' ';
        int hits = 0;
        int from = 0;
        int at;
        while ((at = normalizedText.indexOf(needle, from)) >= 0) {
            hits++;
            // Restart at this match's closing space, which may open the next match ("refund refund").
            from = at + needle.length() - 1;
        }
        return hits;
    }

    private static boolean joinsWords(int cp) {
        if (cp == '\n' || cp == '\r' || cp == '\u2028' || cp == '\u2029') {
            return false;
        }
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                || Character.getType(cp) == Character.DASH_PUNCTUATION
                || cp == '\'' || cp == '\u2019' || cp == '\u2018' || cp == '\u02bc' || cp == '`'
                || cp == '/';
    }
}
