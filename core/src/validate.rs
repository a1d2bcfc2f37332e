//! The checks every piece of text from outside passes before it reaches the engine: one place,
//! so an id the intake accepts is one that every later call accepts too, and so the Rust, C and
//! Python faces (which hand their strings to these checks unchanged) refuse the same values with
//! the same error. Every field has one [`Field`] below naming its rule and its limit.
//!
//! # Identifiers
//!
//! SKU, warehouse and region codes, channel codes, order ids and order keys, buyer ids, actor
//! names (who acts, who changed the rules), carrier codes and waybill numbers. An identifier is
//! compared byte for byte and shown to people in lists, logs and dashboards, so no invisible
//! difference may separate two that look the same. (Look-alike letters of other scripts and
//! accents composed or not are not caught: that needs Unicode's confusables and normalisation
//! tables, a dependency for a rarer risk.) It is:
//!
//! - not empty, not only whitespace, and without whitespace at its start or end;
//! - free of control characters (C0, DEL, C1: NUL, ESC and the rest), format characters (Unicode
//!   general category Cf: zero-width space and joiners, word joiner, BOM, soft hyphen, bidi marks,
//!   embeddings, overrides and isolates, tags, ...; [`FORMAT`]), other characters that draw nothing
//!   (variation selectors, the combining grapheme joiner, Hangul fillers, the braille blank, ...;
//!   [`INVISIBLE`], [`VARIATION_SELECTORS`]), private-use code points (no agreed glyph) and
//!   noncharacters;
//! - spaced, if at all, only with the plain space U+0020 (a no-break, ideographic or other
//!   Unicode space, a line or paragraph separator looks like a plain space or like nothing).
//!
//! Codes ([`Rule::Code`]) additionally have no whitespace at all, so "SKU-1" and "SKU-1 " (or
//! "SKU 1") can never be two different things.
//!
//! # Free text
//!
//! Names, addresses, categories ([`Rule::Line`]) and notes, reasons, tracking details
//! ([`Rule::Lines`]) may hold spaces (any Unicode space: U+3000 is common in Chinese text) and any
//! printable character, private-use ones included (legacy Chinese systems encode rare characters
//! of people's names there), and must fit their limit. They may not hold:
//!
//! - control characters, except in [`Rule::Lines`] the tab, the line feed and the CR LF pair a
//!   browser's form sends for a line break: a note pasted from a review tool runs over lines. A
//!   lone CR is refused everywhere (on a terminal it returns to the start of the line and
//!   overwrites what was shown: "approved\rrejected" reads "rejected"); ESC and the other controls
//!   drive terminals. Single-line fields (names, addresses, categories) refuse the tab and line
//!   feed too: an address is printed on one label line and compared by the blacklist;
//! - the line and paragraph separators U+2028 and U+2029, for the same reason as a lone CR;
//! - format characters, with one exception: the zero-width joiner between two pictographs, as it
//!   stands inside emoji sequences (👨‍👩‍👧, 🏳️‍🌈) that people put in names and notes. Anywhere
//!   else (at an end, beside a letter, doubled) it only hides text. Bidi controls are refused:
//!   Chinese and English text never needs them, and they reorder what a reviewer sees;
//! - invisible characters other than variation selectors, which free text keeps: U+FE0F makes
//!   ❤ an emoji ❤️, and ideographic variation sequences pick the glyph of a name's character;
//! - noncharacters.
//!
//! A refusal is [`Error::InvalidInput`] naming the field, quoting the value escaped (`{:?}`, so an
//! invisible character shows as `\u{200b}`) and naming the character and its position, or
//! [`Error::LimitExceeded`] naming the limit; nothing is changed by a refused call.

use std::fmt;

use crate::error::{Error, Result};
use crate::limits::{
    ADDRESS_FIELD_BYTES_MAX, BUYER_ID_BYTES_MAX, CATEGORY_BYTES_MAX, CODE_BYTES_MAX, ORDER_ID_BYTES_MAX,
    REASON_BYTES_MAX,
};

/// How a field's text is checked (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rule {
    /// An identifier without any whitespace: SKU, warehouse, region and channel codes.
    Code,
    /// An identifier: order ids and keys, buyer ids, actors, waybill numbers.
    Identifier,
    /// Free text on one line: names, address fields, categories.
    Line,
    /// Free text that may run over lines (tab, LF, CR LF): notes, reasons, tracking details.
    Lines,
}

/// One field's rule and limit, and its name in messages.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field {
    pub(crate) what: &'static str,
    pub(crate) rule: Rule,
    pub(crate) limit: &'static str,
    pub(crate) max_bytes: usize,
    /// Whether free text may be empty (an identifier never may).
    pub(crate) optional: bool,
}

impl Field {
    const fn code(what: &'static str) -> Field {
        Field { what, rule: Rule::Code, limit: "CODE_BYTES_MAX", max_bytes: CODE_BYTES_MAX, optional: false }
    }

    const fn identifier(what: &'static str, limit: &'static str, max_bytes: usize) -> Field {
        Field { what, rule: Rule::Identifier, limit, max_bytes, optional: false }
    }

    const fn text(what: &'static str, rule: Rule, limit: &'static str, max_bytes: usize, optional: bool) -> Field {
        Field { what, rule, limit, max_bytes, optional }
    }

    /// The same rule under another name (an address field, a JSON path).
    pub(crate) const fn named(self, what: &'static str) -> Field {
        Field { what, ..self }
    }
}

pub(crate) const SKU_CODE: Field = Field::code("SKU code");
pub(crate) const WAREHOUSE_CODE: Field = Field::code("warehouse code");
pub(crate) const REGION_CODE: Field = Field::code("region code");
pub(crate) const SHIP_TO: Field = Field::code("ship-to region");
pub(crate) const CHANNEL_CODE: Field = Field::code("channel code");
/// A carrier's code is also checked to be 1 to 16 ASCII letters or digits (`logistics`).
pub(crate) const CARRIER_CODE: Field = Field::code("carrier code");
pub(crate) const ORDER_ID: Field = Field::identifier("order id", "ORDER_ID_BYTES_MAX", ORDER_ID_BYTES_MAX);
pub(crate) const CHANNEL_ORDER_ID: Field = ORDER_ID.named("channel order id");
pub(crate) const BUYER_ID: Field = Field::identifier("buyer id", "BUYER_ID_BYTES_MAX", BUYER_ID_BYTES_MAX);
pub(crate) const ACTOR: Field = Field::identifier("actor", "CODE_BYTES_MAX", CODE_BYTES_MAX);
pub(crate) const RULES_AUTHOR: Field = ACTOR.named("rules author");
/// Spaces inside are allowed (labels print "SF 1234 5678"); the carrier's format check removes
/// them.
pub(crate) const TRACKING_NUMBER: Field = Field::identifier("tracking number", "CODE_BYTES_MAX", CODE_BYTES_MAX);
pub(crate) const CATEGORY: Field = Field::text("category", Rule::Line, "CATEGORY_BYTES_MAX", CATEGORY_BYTES_MAX, true);
/// An address field (recipient, phone, province, city, district, detail): may be empty, since an
/// incomplete address is for the address checks to flag, not a reason to refuse the order.
pub(crate) const ADDRESS_FIELD: Field =
    Field::text("address field", Rule::Line, "ADDRESS_FIELD_BYTES_MAX", ADDRESS_FIELD_BYTES_MAX, true);
/// A phone number or an address on the blacklist: like an address field, but never empty.
pub(crate) const BLACKLIST_TEXT: Field =
    Field::text("blacklist value", Rule::Line, "ADDRESS_FIELD_BYTES_MAX", ADDRESS_FIELD_BYTES_MAX, false);
pub(crate) const BLACKLIST_BUYER: Field = BUYER_ID.named("blacklisted buyer id");
/// A stock adjustment's reason: required.
pub(crate) const REASON: Field = Field::text("reason", Rule::Lines, "REASON_BYTES_MAX", REASON_BYTES_MAX, false);
pub(crate) const NOTE: Field = Field::text("note", Rule::Lines, "REASON_BYTES_MAX", REASON_BYTES_MAX, true);
pub(crate) const TRACKING_DETAIL: Field = NOTE.named("detail");

/// Checks `value` against `field`, as the module documentation describes.
pub(crate) fn check(field: Field, value: &str) -> Result<()> {
    inspect(field, value).map_err(|refusal| refusal.into_error(field.what))
}

/// An order id (or order key).
pub(crate) fn check_order_id(order_id: &str) -> Result<()> {
    check(ORDER_ID, order_id)
}

/// Why a value was refused, without the field's name (the channel adapters put their JSON path
/// in front instead).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    Empty,
    /// Nothing but whitespace.
    Blank {
        value: String,
    },
    TooLong {
        limit: &'static str,
        max_bytes: usize,
        bytes: usize,
    },
    /// Whitespace at the start or end of an identifier.
    Padded {
        value: String,
    },
    /// A character the rule does not allow, at this character (not byte) index.
    Character {
        value: String,
        character: char,
        index: usize,
        class: &'static str,
    },
}

impl Refusal {
    pub(crate) fn into_error(self, what: &str) -> Error {
        match self {
            Refusal::TooLong { limit, max_bytes, bytes } => Error::LimitExceeded {
                limit,
                what: format!("the length of {what}"),
                max: max_bytes as u64,
                actual: bytes as u64,
            },
            other => Error::invalid(format!("{what} {other}")),
        }
    }
}

/// Longest piece of a refused value quoted back, in characters: every identifier fits whole; a
/// 1 KiB address does not need to be repeated to be recognised.
const QUOTED_CHARS_MAX: usize = 80;

fn quoted(value: &str) -> String {
    match value.char_indices().nth(QUOTED_CHARS_MAX) {
        None => format!("{value:?}"),
        Some((cut, _)) => format!("{:?}…", &value[..cut]),
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Empty => write!(f, "is empty"),
            Refusal::Blank { value } => write!(f, "{} is blank (only whitespace)", quoted(value)),
            Refusal::TooLong { limit, max_bytes, bytes } => {
                write!(f, "is {bytes} bytes, above the limit {limit} = {max_bytes}")
            }
            Refusal::Padded { value } => write!(f, "{} has whitespace at its start or end", quoted(value)),
            Refusal::Character { value, character, index, class } => {
                write!(f, "{} contains {class} (U+{:04X} at character {index})", quoted(value), u32::from(*character))
            }
        }
    }
}

/// The check itself: emptiness, then the length (so a huge value costs nothing more), then every
/// character.
pub(crate) fn inspect(field: Field, value: &str) -> Result<(), Refusal> {
    let identifier = matches!(field.rule, Rule::Code | Rule::Identifier);
    if value.is_empty() {
        return if field.optional && !identifier { Ok(()) } else { Err(Refusal::Empty) };
    }
    if value.len() > field.max_bytes {
        return Err(Refusal::TooLong { limit: field.limit, max_bytes: field.max_bytes, bytes: value.len() });
    }
    // Most ids are printable ASCII without spaces (SKU-1, tmall:3658120094471538172), which every
    // rule accepts: a byte loop says so without decoding characters (this runs on every reserve).
    if value.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Ok(());
    }
    let refuse = |index: usize, character: char, class: &'static str| Refusal::Character {
        value: value.to_string(),
        character,
        index,
        class,
    };
    let mut previous: Option<char> = None;
    let mut characters = value.chars().enumerate().peekable();
    while let Some((index, character)) = characters.next() {
        let next = characters.peek().map(|&(_, next)| next);
        let class = classify(character);
        let refused = match (field.rule, class) {
            (_, Class::Printable) => None,
            (Rule::Code, Class::Space) => Some("whitespace"),
            (Rule::Identifier, Class::Space) if character == ' ' => None,
            (Rule::Identifier, Class::Space) => Some("whitespace other than the plain space U+0020"),
            (Rule::Line | Rule::Lines, Class::Space) => None,
            (Rule::Lines, Class::Control) if matches!(character, '\t' | '\n') => None,
            (Rule::Lines, Class::Control) if character == '\r' && next == Some('\n') => None,
            (Rule::Line | Rule::Lines, Class::Format) if character == ZERO_WIDTH_JOINER => {
                let in_emoji = previous.is_some_and(|before| pictographic(before) || before == EMOJI_PRESENTATION)
                    && next.is_some_and(pictographic);
                (!in_emoji).then_some(class.describe(character))
            }
            (Rule::Line | Rule::Lines, Class::VariationSelector | Class::PrivateUse) => None,
            (_, class) => Some(class.describe(character)),
        };
        if let Some(what) = refused {
            return Err(refuse(index, character, what));
        }
        previous = Some(character);
    }
    // Optional free text that is blank is as good as empty (the address checks trim it).
    if (identifier || !field.optional) && value.chars().all(char::is_whitespace) {
        return Err(Refusal::Blank { value: value.to_string() });
    }
    if identifier && (value.starts_with(char::is_whitespace) || value.ends_with(char::is_whitespace)) {
        return Err(Refusal::Padded { value: value.to_string() });
    }
    Ok(())
}

/// The first character of `text` that no identifier may hold beyond whitespace (a control,
/// format, invisible, private-use or noncharacter), with its index and what it is: for names
/// checked elsewhere (rule names in the rules file).
pub(crate) fn hidden_character(text: &str) -> Option<(usize, char, &'static str)> {
    text.chars().enumerate().find_map(|(index, character)| match classify(character) {
        Class::Printable | Class::Space => None,
        class => Some((index, character, class.describe(character))),
    })
}

const ZERO_WIDTH_JOINER: char = '\u{200D}';
/// VARIATION SELECTOR-16, which asks for the emoji form of the character before it (❤️).
const EMOJI_PRESENTATION: char = '\u{FE0F}';

/// What a character is, as far as these rules care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Printable,
    /// Unicode White_Space that is not a control character (U+0020, no-break and ideographic
    /// spaces, ...). The line and paragraph separators are [`Class::LineBreak`].
    Space,
    /// General category Cc.
    Control,
    /// U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR.
    LineBreak,
    /// General category Cf ([`FORMAT`]).
    Format,
    /// [`INVISIBLE`].
    Invisible,
    /// [`VARIATION_SELECTORS`].
    VariationSelector,
    /// General category Co.
    PrivateUse,
    /// U+FDD0..U+FDEF and the last two code points of every plane.
    Noncharacter,
}

impl Class {
    fn describe(self, character: char) -> &'static str {
        match self {
            Class::Printable => "a printable character",
            Class::Space => "whitespace",
            Class::Control => "control characters",
            Class::LineBreak => "a line or paragraph separator",
            Class::Format => named(&FORMAT, character).unwrap_or("a format character"),
            Class::Invisible => named(&INVISIBLE, character).unwrap_or("an invisible character"),
            Class::VariationSelector => "a variation selector (an invisible character)",
            Class::PrivateUse => "a private-use character (no agreed glyph)",
            Class::Noncharacter => "a noncharacter",
        }
    }
}

fn named(table: &[(char, char, &'static str)], character: char) -> Option<&'static str> {
    table.iter().find(|&&(low, high, _)| (low..=high).contains(&character)).map(|&(_, _, name)| name)
}

/// The blocks of Chinese (CJK unified ideographs and extension A) and Korean (Hangul
/// syllables) letters, where nearly every character of a name or an address lies: none of the
/// tables below reaches into them, so their characters are printable without a lookup.
fn in_common_letter_block(character: char) -> bool {
    matches!(character, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7A3}')
}

fn classify(character: char) -> Class {
    if character.is_control() {
        return Class::Control;
    }
    if matches!(character, '\u{2028}' | '\u{2029}') {
        return Class::LineBreak;
    }
    if character.is_whitespace() {
        return Class::Space;
    }
    if character.is_ascii() || in_common_letter_block(character) {
        return Class::Printable;
    }
    let in_table = |table: &[(char, char, &str)]| table.iter().any(|&(low, high, _)| (low..=high).contains(&character));
    if in_table(&FORMAT) {
        Class::Format
    } else if in_table(&VARIATION_SELECTORS) {
        Class::VariationSelector
    } else if in_table(&INVISIBLE) {
        Class::Invisible
    } else if matches!(character, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{FFFFD}' | '\u{100000}'..='\u{10FFFD}') {
        Class::PrivateUse
    } else if matches!(character, '\u{FDD0}'..='\u{FDEF}') || (u32::from(character) & 0xFFFE) == 0xFFFE {
        Class::Noncharacter
    } else {
        Class::Printable
    }
}

/// Every format character (general category Cf) of Unicode 15.1, each range with what it is.
/// None draws a glyph; each changes how the text around it is shown, or hides in it.
pub(crate) const FORMAT: [(char, char, &str); 26] = [
    ('\u{00AD}', '\u{00AD}', "a soft hyphen (a format character)"),
    ('\u{0600}', '\u{0605}', "an Arabic number sign (a format character)"),
    ('\u{061C}', '\u{061C}', "an Arabic letter mark (a bidi control)"),
    ('\u{06DD}', '\u{06DD}', "an Arabic end of ayah (a format character)"),
    ('\u{070F}', '\u{070F}', "a Syriac abbreviation mark (a format character)"),
    ('\u{0890}', '\u{0891}', "an Arabic currency mark above (a format character)"),
    ('\u{08E2}', '\u{08E2}', "an Arabic disputed end of ayah (a format character)"),
    ('\u{180E}', '\u{180E}', "a Mongolian vowel separator (a format character)"),
    ('\u{200B}', '\u{200B}', "a zero-width space (a format character)"),
    ('\u{200C}', '\u{200C}', "a zero-width non-joiner (a format character)"),
    ('\u{200D}', '\u{200D}', "a zero-width joiner (a format character)"),
    ('\u{200E}', '\u{200F}', "a left-to-right or right-to-left mark (a bidi control)"),
    ('\u{202A}', '\u{202E}', "a bidi embedding or override (a bidi control)"),
    ('\u{2060}', '\u{2060}', "a word joiner (a format character)"),
    ('\u{2061}', '\u{2064}', "an invisible operator (a format character)"),
    ('\u{2066}', '\u{2069}', "a bidi isolate (a bidi control)"),
    ('\u{206A}', '\u{206F}', "a deprecated format character"),
    ('\u{FEFF}', '\u{FEFF}', "a byte order mark (zero-width no-break space, a format character)"),
    ('\u{FFF9}', '\u{FFFB}', "an interlinear annotation control (a format character)"),
    ('\u{110BD}', '\u{110BD}', "a Kaithi number sign (a format character)"),
    ('\u{110CD}', '\u{110CD}', "a Kaithi number sign above (a format character)"),
    ('\u{13430}', '\u{1343F}', "an Egyptian hieroglyph format control"),
    ('\u{1BCA0}', '\u{1BCA3}', "a shorthand format control"),
    ('\u{1D173}', '\u{1D17A}', "a musical symbol format control"),
    ('\u{E0001}', '\u{E0001}', "a language tag (a format character)"),
    ('\u{E0020}', '\u{E007F}', "a tag character (a format character)"),
];

/// Characters that draw nothing but are not format characters: the rest of Unicode's
/// Default_Ignorable_Code_Point (assigned or reserved) outside [`FORMAT`] and
/// [`VARIATION_SELECTORS`], and the braille blank, which draws an empty cell.
pub(crate) const INVISIBLE: [(char, char, &str); 12] = [
    ('\u{034F}', '\u{034F}', "a combining grapheme joiner (an invisible character)"),
    ('\u{115F}', '\u{1160}', "a Hangul filler (an invisible character)"),
    ('\u{17B4}', '\u{17B5}', "a Khmer inherent vowel (an invisible character)"),
    ('\u{180B}', '\u{180D}', "a Mongolian variation selector (an invisible character)"),
    ('\u{180F}', '\u{180F}', "a Mongolian variation selector (an invisible character)"),
    ('\u{2065}', '\u{2065}', "a reserved invisible code point"),
    ('\u{2800}', '\u{2800}', "a braille blank (an invisible character)"),
    ('\u{3164}', '\u{3164}', "a Hangul filler (an invisible character)"),
    ('\u{FFA0}', '\u{FFA0}', "a Hangul filler (an invisible character)"),
    ('\u{FFF0}', '\u{FFF8}', "a reserved invisible code point"),
    ('\u{E0000}', '\u{E0000}', "a reserved invisible code point"),
    // The tags (U+E0001, U+E0020..U+E007F) are in FORMAT, which is looked at first, and the
    // variation selectors supplement in VARIATION_SELECTORS.
    ('\u{E0002}', '\u{E0FFF}', "a reserved invisible code point"),
];

/// Variation selectors: invisible, refused in identifiers, kept in free text (emoji presentation,
/// ideographic variation sequences).
pub(crate) const VARIATION_SELECTORS: [(char, char, &str); 2] =
    [('\u{FE00}', '\u{FE0F}', "a variation selector"), ('\u{E0100}', '\u{E01EF}', "a variation selector")];

/// Whether `character` is a pictograph that can stand on either side of a zero-width joiner in an
/// emoji sequence: the symbol and dingbat blocks (U+2190..U+2BFF: arrows, technical symbols,
/// enclosed alphanumerics, geometric shapes, miscellaneous symbols, dingbats; ⚕ ❤ ☠ ♀ ♂ in
/// 👨‍⚕️ ❤️‍🔥 🏴‍☠️ 🏃‍♀️), the CJK symbols used as emoji (〰 〽 ㊗ ㊙) and the emoji planes'
/// blocks (U+1F000..U+1FAFF, skin-tone modifiers included). A close approximation of Unicode's
/// Extended_Pictographic, without its table.
fn pictographic(character: char) -> bool {
    matches!(
        character,
        '\u{2190}'..='\u{2BFF}' | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}' | '\u{1F000}'..='\u{1FAFF}'
    )
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_letter_blocks_taken_as_printable_hold_nothing_the_tables_refuse() {
        let blocks = [('\u{3400}', '\u{4DBF}'), ('\u{4E00}', '\u{9FFF}'), ('\u{AC00}', '\u{D7A3}')];
        for table in [&FORMAT[..], &INVISIBLE[..], &VARIATION_SELECTORS[..]] {
            for &(low, high, name) in table {
                for &(start, end) in &blocks {
                    assert!(high < start || low > end, "{name} lies in a block taken as printable");
                }
            }
        }
        for &(start, end) in &blocks {
            for character in [start, end, char::from_u32((u32::from(start) + u32::from(end)) / 2).unwrap()] {
                assert!(!character.is_control() && !character.is_whitespace(), "{character:?}");
            }
        }
    }
    use proptest::prelude::*;

    use super::*;

    fn refused(field: Field, value: &str) -> String {
        match check(field, value) {
            Err(Error::InvalidInput { message }) => message,
            other => panic!("{value:?} as {}: expected InvalidInput, got {other:?}", field.what),
        }
    }

    /// The red team's values, and more of each kind: refused as every identifier.
    const HOSTILE_IDENTIFIERS: [&str; 24] = [
        " ",
        "   ",
        "\t",
        " A",
        "A ",
        "A\u{200B}B",
        "A\u{200C}",
        "\u{200D}A",
        "A\u{2060}B",
        "\u{FEFF}A",
        "A\u{202E}B",
        "A\u{202A}B",
        "A\u{2066}B",
        "A\u{2069}",
        "A\u{200E}",
        "A\u{200F}",
        "A\u{061C}",
        "A\0B",
        "A\u{1B}[31mB",
        "A\u{7F}",
        "A\u{85}",
        "A\u{9B}",
        "A\u{A0}B",
        "A\u{3000}B",
    ];

    const MORE_HIDDEN: [&str; 12] = [
        "A\u{AD}B",
        "A\u{34F}",
        "A\u{FE0F}",
        "A\u{E0100}",
        "\u{3164}",
        "A\u{115F}",
        "\u{2800}",
        "A\u{E0041}",
        "A\u{E000}",
        "A\u{FFFF}",
        "A\u{FDD0}",
        "A\u{2028}B",
    ];

    #[test]
    fn identifiers_refuse_blank_padded_control_format_and_invisible_characters() {
        let fields = [SKU_CODE, ORDER_ID, CHANNEL_ORDER_ID, BUYER_ID, ACTOR, RULES_AUTHOR, TRACKING_NUMBER];
        for field in fields {
            for value in HOSTILE_IDENTIFIERS.iter().chain(&MORE_HIDDEN) {
                let message = refused(field, value);
                assert!(message.starts_with(field.what), "{message}");
                assert!(message.contains(&format!("{value:?}")), "the value is quoted escaped: {message}");
            }
            assert!(refused(field, "").ends_with("is empty"));
        }
    }

    #[test]
    fn messages_name_the_character_and_where_it_is() {
        assert_eq!(
            refused(ORDER_ID, "A\u{200B}B"),
            "order id \"A\\u{200b}B\" contains a zero-width space (a format character) (U+200B at character 1)"
        );
        assert_eq!(
            refused(BUYER_ID, "x\u{1B}[2J"),
            "buyer id \"x\\u{1b}[2J\" contains control characters (U+001B at character 1)"
        );
        assert_eq!(refused(ORDER_ID, " "), "order id \" \" is blank (only whitespace)");
        assert_eq!(refused(ORDER_ID, " A1"), "order id \" A1\" has whitespace at its start or end");
        assert!(refused(ORDER_ID, "A\u{202E}1").contains("bidi"));
        assert!(refused(SKU_CODE, "SKU 1").contains("contains whitespace (U+0020 at character 3)"));
    }

    #[test]
    fn identifiers_keep_inner_plain_spaces_and_any_script() {
        for value in ["ORDER 1", "小林爱喝茶", "jd_5f2c9a7b1e3d", "Li Wei", "tmall:3658120094471538172", "🌸"] {
            check(ORDER_ID, value).unwrap();
            check(BUYER_ID, value).unwrap();
        }
        check(SKU_CODE, "SOFA-3P-GREY").unwrap();
        check(SKU_CODE, "沙发-三人").unwrap();
    }

    #[test]
    fn codes_have_no_whitespace_at_all() {
        for value in ["SKU 1", "SKU\u{A0}1", "SKU\u{3000}1", "SKU\u{2003}1"] {
            assert!(refused(SKU_CODE, value).contains("whitespace"), "{value:?}");
        }
    }

    #[test]
    fn free_text_keeps_spaces_emoji_sequences_and_variation_selectors() {
        let address = ADDRESS_FIELD.named("recipient");
        for value in [
            "",
            "林小雨",
            "  粤海街道 科技园  ",
            "上海市\u{3000}徐汇区",
            "Mary\u{A0}Smith",
            "👨\u{200D}👩\u{200D}👧 family",
            "🏳\u{FE0F}\u{200D}🌈",
            "❤\u{FE0F}\u{200D}🔥",
            "🧑🏽\u{200D}💻",
            "👨\u{200D}⚕\u{FE0F}",
            "葛\u{E0100}",
            "\u{E000}",
        ] {
            inspect(address, value).unwrap_or_else(|refusal| panic!("{value:?}: {refusal}"));
            inspect(NOTE, value).unwrap_or_else(|refusal| panic!("{value:?}: {refusal}"));
        }
    }

    #[test]
    fn a_zero_width_joiner_outside_an_emoji_sequence_is_refused() {
        for value in
            ["A\u{200D}B", "\u{200D}👩", "👨\u{200D}", "👨\u{200D}\u{200D}👩", "林\u{200D}小雨", "👨\u{200D} 👩"]
        {
            assert!(refused(NOTE, value).contains("zero-width joiner"), "{value:?}");
        }
    }

    #[test]
    fn free_text_refuses_controls_format_and_invisible_characters() {
        for field in [ADDRESS_FIELD, CATEGORY, NOTE, REASON] {
            for value in [
                "a\0b",
                "a\u{1B}[31mred",
                "approved\rrejected",
                "a\u{7F}",
                "a\u{9B}1m",
                "a\u{200B}b",
                "\u{FEFF}a",
                "a\u{202E}b",
                "a\u{2066}b",
                "a\u{200F}",
                "a\u{AD}",
                "a\u{2028}b",
                "a\u{3164}",
                "\u{2800}",
                "a\u{FFFE}",
            ] {
                refused(field, value);
            }
        }
    }

    #[test]
    fn only_multi_line_text_takes_tabs_and_line_breaks() {
        for value in ["line one\nline two", "a\tb", "from a form\r\nsecond line"] {
            check(NOTE, value).unwrap();
            check(REASON, value).unwrap();
            assert!(refused(ADDRESS_FIELD, value).contains("control characters"), "{value:?}");
            assert!(refused(CATEGORY, value).contains("control characters"), "{value:?}");
        }
        assert!(refused(NOTE, "a\rb").contains("U+000D"));
        assert!(refused(NOTE, "a\r").contains("U+000D"));
    }

    #[test]
    fn required_text_is_not_blank_and_optional_text_may_be_empty() {
        assert!(refused(REASON, "").ends_with("is empty"));
        assert!(refused(REASON, " \n ").contains("blank"));
        check(NOTE, "").unwrap();
        check(CATEGORY, "").unwrap();
        check(ADDRESS_FIELD, "").unwrap();
        // Optional text that is blank is as good as empty.
        check(ADDRESS_FIELD, "   ").unwrap();
        check(NOTE, " ").unwrap();
    }

    #[test]
    fn lengths_are_limits_checked_before_characters() {
        let long = format!("{}\0", "x".repeat(CODE_BYTES_MAX));
        match check(SKU_CODE, &long) {
            Err(Error::LimitExceeded { limit: "CODE_BYTES_MAX", max, actual, .. }) => {
                assert_eq!((max, actual), (CODE_BYTES_MAX as u64, CODE_BYTES_MAX as u64 + 1));
            }
            other => panic!("{other:?}"),
        }
        check(ORDER_ID, &"9".repeat(ORDER_ID_BYTES_MAX)).unwrap();
    }

    #[test]
    fn every_format_character_is_refused_in_identifiers_and_tables_are_ordered() {
        for table in [&FORMAT[..], &INVISIBLE[..], &VARIATION_SELECTORS[..]] {
            for window in table.windows(2) {
                assert!(window[0].1 < window[1].0, "overlapping or unsorted ranges: {window:?}");
            }
            for &(low, high, _) in table {
                assert!(low <= high);
                for code in u32::from(low)..=u32::from(high) {
                    let character = char::from_u32(code).expect("a scalar value");
                    refused(ORDER_ID, &format!("A{character}B"));
                }
            }
        }
        // No format character is whitespace or a control, so none slips through those classes.
        for &(low, high, _) in &FORMAT {
            assert!(!low.is_whitespace() && !high.is_control());
        }
    }

    proptest! {
        // Failures print the failing input, and proptest saves its seed under proptest-regressions/.
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever the text, the check answers (no panic, even quoting a long value cut at a
        /// character boundary), and what it accepts keeps the rule's promises.
        #[test]
        fn what_is_accepted_keeps_the_rules_promises(
            text in prop::collection::vec(
                prop_oneof![
                    prop::char::range('a', 'z'),
                    prop::sample::select(vec![
                        ' ', '\t', '\n', '\r', '\0', '\u{1B}', '\u{85}', '\u{A0}', '\u{3000}', '\u{2028}',
                        '\u{200B}', '\u{200D}', '\u{202E}', '\u{2066}', '\u{FEFF}', '\u{FE0F}', '\u{E0100}',
                        '\u{3164}', '\u{E000}', '\u{FFFF}', '林', '👨', '👩', '❤', '🏳', '\u{301}',
                    ]),
                ],
                0..120,
            ).prop_map(|chars| chars.into_iter().collect::<String>()),
            field in prop::sample::select(vec![SKU_CODE, ORDER_ID, BUYER_ID, ADDRESS_FIELD, NOTE, REASON]),
        ) {
            let Ok(()) = inspect(field, &text) else { return Ok(()) };
            prop_assert!(text.len() <= field.max_bytes);
            let kept = |c: char| match classify(c) {
                Class::Printable => true,
                Class::Space => field.rule != Rule::Code && (field.rule != Rule::Identifier || c == ' '),
                Class::Control => field.rule == Rule::Lines && matches!(c, '\t' | '\n' | '\r'),
                Class::Format => c == ZERO_WIDTH_JOINER && matches!(field.rule, Rule::Line | Rule::Lines),
                Class::VariationSelector | Class::PrivateUse => matches!(field.rule, Rule::Line | Rule::Lines),
                Class::LineBreak | Class::Invisible | Class::Noncharacter => false,
            };
            prop_assert!(text.chars().all(kept), "{:?} as {}", text, field.what);
            if matches!(field.rule, Rule::Code | Rule::Identifier) {
                prop_assert!(!text.is_empty() && text.trim() == text && !text.trim().is_empty(), "{:?}", text);
            }
            prop_assert!(!text.contains('\r') || text.matches('\r').count() == text.matches("\r\n").count());
        }
    }

    #[test]
    fn hidden_characters_are_found_for_names_checked_elsewhere() {
        assert_eq!(hidden_character("big orders"), None);
        assert_eq!(hidden_character("big\u{200B}orders").map(|(at, c, _)| (at, c)), Some((3, '\u{200B}')));
        assert_eq!(hidden_character("a\tb").map(|(at, _, what)| (at, what)), Some((1, "control characters")));
    }
}
