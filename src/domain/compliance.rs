//! Advertising-Law absolute terms (广告法 极限词): normalise, scan
//! leftmost-longest without overlap, report each hit with its rule and its position in the
//! original text (Unicode scalar values, end exclusive). Pure: no database access.

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

/// How a hit is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// Refuses submit, approve and publish.
    Block,
    /// Shown only.
    Warn,
}

/// Term groups of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    Superlative,
    First,
    Grade,
    Top,
    FirstExclusive,
    Guarantee,
    PriceUrgency,
    Authority,
    Medical,
}

impl Group {
    /// The rule a hit of this group breaks, for messages.
    pub const fn rule(self) -> &'static str {
        match self {
            Self::Superlative => "广告法第九条第三项: 不得使用“最”类绝对化用语",
            Self::First => "广告法第九条第三项: 不得使用“第一/唯一”类绝对化用语",
            Self::Grade => "广告法第九条第三项: 不得使用“国家级/世界级”类用语",
            Self::Top => "广告法第九条第三项: 不得使用“顶级/极致”类绝对化用语",
            Self::FirstExclusive => "广告法第九条第三项: 不得使用“首/独家”类绝对化用语",
            Self::Guarantee => "广告法第四条、第九条: 不得作绝对化保证或虚假承诺",
            Self::PriceUrgency => "价格法及《规范促销行为暂行规定》: 不得虚构最低价或清仓等",
            Self::Authority => "广告法第九条、商标法第十四条: 不得使用国家机关名义、驰名商标字样",
            Self::Medical => "广告法第十七条: 非药品不得涉及疾病治疗功能",
        }
    }
}

/// One hit in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The listed term (or `最…` for a bare 最).
    pub term: String,
    pub group: Group,
    pub severity: Severity,
    /// Start in Unicode scalar values of the original text, inclusive.
    pub start: usize,
    /// End, exclusive.
    pub end: usize,
}

use Group::*;
use Severity::{Block as B, Warn as W};

const TERMS: &[(&str, Group, Severity)] = &[
    // 最
    ("最佳", Superlative, B),
    ("最具", Superlative, B),
    ("最爱", Superlative, B),
    ("最赚", Superlative, B),
    ("最优", Superlative, B),
    ("最优秀", Superlative, B),
    ("最好", Superlative, B),
    ("最大", Superlative, B),
    ("最大程度", Superlative, B),
    ("最高", Superlative, B),
    ("最高级", Superlative, B),
    ("最高端", Superlative, B),
    ("最奢侈", Superlative, B),
    ("最低", Superlative, B),
    ("最低级", Superlative, B),
    ("最低价", Superlative, B),
    ("最底", Superlative, B),
    ("最便宜", Superlative, B),
    ("史上最低价", Superlative, B),
    ("最流行", Superlative, B),
    ("最受欢迎", Superlative, B),
    ("最时尚", Superlative, B),
    ("最聚拢", Superlative, B),
    ("最符合", Superlative, B),
    ("最舒适", Superlative, B),
    ("最先", Superlative, B),
    ("最先进", Superlative, B),
    ("最先进科学", Superlative, B),
    ("最先进加工工艺", Superlative, B),
    ("最新技术", Superlative, B),
    ("最新科学", Superlative, B),
    ("最强", Superlative, B),
    ("最专业", Superlative, B),
    ("最实惠", Superlative, B),
    ("最科学", Superlative, B),
    ("最新", Superlative, W),
    ("最后", Superlative, W),
    // 一 / first
    ("第一", First, B),
    ("中国第一", First, B),
    ("全国第一", First, B),
    ("全网第一", First, B),
    ("全球第一", First, B),
    ("世界第一", First, B),
    ("行业第一", First, B),
    ("销量第一", First, B),
    ("排名第一", First, B),
    ("第一品牌", First, B),
    ("天下第一", First, B),
    ("NO.1", First, B),
    ("No1", First, B),
    ("TOP1", First, B),
    ("Top 1", First, B),
    ("唯一", First, B),
    ("独一无二", First, B),
    ("销冠", First, B),
    ("销量冠军", First, B),
    ("大品牌之一", First, B),
    ("冠军", First, W),
    ("仅此一次", First, W),
    ("仅此一天", First, W),
    ("最后一波", First, W),
    // 级 / grade
    ("国家级", Grade, B),
    ("国家级产品", Grade, B),
    ("国际级", Grade, B),
    ("世界级", Grade, B),
    ("千万级", Grade, B),
    ("百万级", Grade, B),
    ("宇宙级", Grade, B),
    ("国宝级", Grade, B),
    ("超甲级", Grade, B),
    ("星级", Grade, W),
    ("5A", Grade, W),
    ("甲级", Grade, W),
    // 极 / top
    ("顶级", Top, B),
    ("顶尖", Top, B),
    ("尖端", Top, B),
    ("顶级享受", Top, B),
    ("顶级工艺", Top, B),
    ("极品", Top, B),
    ("极佳", Top, B),
    ("绝佳", Top, B),
    ("极致", Top, B),
    ("致极", Top, B),
    ("终极", Top, B),
    ("至尊", Top, B),
    ("至臻", Top, B),
    ("臻品", Top, B),
    ("巅峰", Top, B),
    ("无双", Top, B),
    ("王牌", Top, B),
    ("掌门人", Top, B),
    ("领袖品牌", Top, B),
    ("领导品牌", Top, B),
    ("世界领先", Top, B),
    ("全球领先", Top, B),
    ("问鼎", Top, B),
    ("空前", Top, B),
    ("绝后", Top, B),
    ("空前绝后", Top, B),
    ("前所未有", Top, B),
    ("史无前例", Top, B),
    ("前无古人", Top, B),
    ("绝无仅有", Top, B),
    ("无与伦比", Top, B),
    ("无人能及", Top, B),
    ("非此莫属", Top, B),
    ("万能", Top, B),
    ("绝对", Top, B),
    ("领先", Top, W),
    ("完美", Top, W),
    ("卓越", Top, W),
    // 首 / 独
    ("首个", FirstExclusive, B),
    ("首选", FirstExclusive, B),
    ("首家", FirstExclusive, B),
    ("全球首发", FirstExclusive, B),
    ("全网首发", FirstExclusive, B),
    ("全国首家", FirstExclusive, B),
    ("首席", FirstExclusive, B),
    ("首创", FirstExclusive, B),
    ("独家", FirstExclusive, B),
    ("独创", FirstExclusive, B),
    ("填补国内空白", FirstExclusive, B),
    ("首发", FirstExclusive, W),
    // 100% / guarantee
    ("100%纯天然", Guarantee, B),
    ("100%无添加", Guarantee, B),
    ("零风险", Guarantee, B),
    ("万无一失", Guarantee, B),
    ("永久", Guarantee, B),
    ("永久有效", Guarantee, B),
    ("绝对安全", Guarantee, B),
    ("绝对有效", Guarantee, B),
    ("无任何副作用", Guarantee, B),
    ("无副作用", Guarantee, B),
    ("一劳永逸", Guarantee, B),
    ("包过", Guarantee, B),
    ("100%", Guarantee, W),
    ("百分百", Guarantee, W),
    ("百分之百", Guarantee, W),
    // price / urgency
    ("全网最低", PriceUrgency, B),
    ("全网最低价", PriceUrgency, B),
    ("史上最低", PriceUrgency, B),
    ("抄底", PriceUrgency, B),
    ("跳楼价", PriceUrgency, W),
    ("清仓", PriceUrgency, W),
    ("倒闭", PriceUrgency, W),
    ("最后一天", PriceUrgency, W),
    // authority
    ("国家领导人推荐", Authority, B),
    ("国家机关推荐", Authority, B),
    ("特供", Authority, B),
    ("国家免检", Authority, B),
    ("质量免检", Authority, B),
    ("免抽检", Authority, B),
    ("驰名商标", Authority, B),
    ("中国驰名商标", Authority, B),
    ("专供", Authority, W),
    ("国旗", Authority, W),
    ("国徽", Authority, W),
    // medical / efficacy
    ("治愈", Medical, B),
    ("根治", Medical, B),
    ("包治", Medical, B),
    ("包治百病", Medical, B),
    ("药到病除", Medical, B),
    ("一次治愈", Medical, B),
    ("断根", Medical, B),
    ("疗效", Medical, B),
    ("有效率", Medical, B),
    ("治愈率", Medical, B),
    ("抗癌", Medical, B),
    ("防癌", Medical, B),
    ("抗肿瘤", Medical, B),
    ("降血压", Medical, B),
    ("降血脂", Medical, B),
    ("降血糖", Medical, B),
    ("降三高", Medical, B),
    ("消炎", Medical, B),
    ("排毒", Medical, B),
    ("壮阳", Medical, B),
    ("丰胸", Medical, B),
    ("增高", Medical, B),
    ("生发", Medical, B),
    ("特效", Medical, B),
    ("神效", Medical, B),
    ("速效", Medical, B),
    ("奇效", Medical, B),
    ("杀菌", Medical, W),
];

/// Built-in allowed words starting with 最.
const ALLOWED_ZUI: [&str; 3] = ["最近", "最终", "最初"];
/// After a bare 最, these make it BLOCK; anything else WARN.
const ZUI_BLOCK_NEXT: &str = "好佳优高低大强新先便贵美";

/// A normalised text: its characters and, for each, the index of the original character.
struct Normalised {
    chars: Vec<char>,
    origin: Vec<usize>,
}

/// NFKC, Latin lower-cased, whitespace removed, keeping an index map to the original.
fn normalise(text: &str) -> Normalised {
    let mut chars = Vec::new();
    let mut origin = Vec::new();
    for (i, c) in text.chars().enumerate() {
        for n in std::iter::once(c).nfkc() {
            if n.is_whitespace() {
                continue;
            }
            chars.push(n.to_ascii_lowercase());
            origin.push(i);
        }
    }
    Normalised { chars, origin }
}

struct Term {
    chars: Vec<char>,
    listed: &'static str,
    group: Group,
    severity: Severity,
    ascii_start: bool,
    ascii_end: bool,
}

/// Terms indexed by their first normalised character, longest first.
fn index() -> &'static HashMap<char, Vec<Term>> {
    static INDEX: OnceLock<HashMap<char, Vec<Term>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map: HashMap<char, Vec<Term>> = HashMap::new();
        for &(listed, group, severity) in TERMS {
            let chars = normalise(listed).chars;
            let (Some(&first), Some(&last)) = (chars.first(), chars.last()) else {
                continue;
            };
            map.entry(first).or_default().push(Term {
                ascii_start: first.is_ascii_alphanumeric(),
                ascii_end: last.is_ascii_alphanumeric(),
                chars,
                listed,
                group,
                severity,
            });
        }
        for terms in map.values_mut() {
            terms.sort_by_key(|t| std::cmp::Reverse(t.chars.len()));
        }
        map
    })
}

/// Scans `text`; hits lying entirely inside an occurrence of an `allowed` phrase are dropped.
pub fn check(text: &str, allowed: &[String]) -> Vec<Hit> {
    let original: Vec<char> = text.chars().collect();
    let norm = normalise(text);
    let allowed_ranges = allowed_ranges(&norm, allowed);
    let n = norm.chars.len();
    let is_alnum_at = |orig_idx: Option<usize>| {
        orig_idx
            .and_then(|i| original.get(i))
            .is_some_and(|c| c.is_ascii_alphanumeric())
    };
    let mut hits = Vec::new();
    let mut i = 0;
    while i < n {
        let matched = index().get(&norm.chars[i]).and_then(|terms| {
            terms.iter().find(|t| {
                norm.chars[i..].starts_with(&t.chars) && {
                    let start = norm.origin[i];
                    let end = norm.origin[i + t.chars.len() - 1] + 1;
                    !((t.ascii_start && is_alnum_at(start.checked_sub(1)))
                        || (t.ascii_end && is_alnum_at(Some(end))))
                }
            })
        });
        if let Some(t) = matched {
            hits.push(Hit {
                term: t.listed.to_owned(),
                group: t.group,
                severity: t.severity,
                start: norm.origin[i],
                end: norm.origin[i + t.chars.len() - 1] + 1,
            });
            i += t.chars.len();
            continue;
        }
        if norm.chars[i] == '最' {
            if let Some(word) = ALLOWED_ZUI
                .iter()
                .find(|w| norm.chars[i..].starts_with(&w.chars().collect::<Vec<_>>()))
            {
                i += word.chars().count();
                continue;
            }
            let next = norm.chars.get(i + 1).copied();
            let severity = if next.is_some_and(|c| ZUI_BLOCK_NEXT.contains(c)) {
                B
            } else {
                W
            };
            let end = next.map_or(norm.origin[i] + 1, |_| norm.origin[i + 1] + 1);
            hits.push(Hit {
                term: original[norm.origin[i]..end].iter().collect(),
                group: Superlative,
                severity,
                start: norm.origin[i],
                end,
            });
            i += if next.is_some() { 2 } else { 1 };
            continue;
        }
        i += 1;
    }
    hits.retain(|h| {
        !allowed_ranges
            .iter()
            .any(|&(s, e)| s <= h.start && h.end <= e)
    });
    hits
}

/// Original-text ranges of every occurrence of each allowed phrase.
fn allowed_ranges(norm: &Normalised, allowed: &[String]) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    for phrase in allowed {
        let p = normalise(phrase).chars;
        if p.is_empty() || p.len() > norm.chars.len() {
            continue;
        }
        for i in 0..=norm.chars.len() - p.len() {
            if norm.chars[i..i + p.len()] == p[..] {
                ranges.push((norm.origin[i], norm.origin[i + p.len() - 1] + 1));
            }
        }
    }
    ranges
}

/// Whether any hit blocks publication.
pub fn blocks(hits: &[Hit]) -> bool {
    hits.iter().any(|h| h.severity == Severity::Block)
}

/// Title length as the platforms count it: 2 per East-Asian wide or full-width
/// character, 1 otherwise; Douyin counts every character as 1.
pub fn title_length(title: &str, wide_counts_double: bool) -> usize {
    use unicode_width::UnicodeWidthChar;
    title
        .chars()
        .map(|c| {
            if wide_counts_double && c.width() == Some(2) {
                2
            } else {
                1
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<(String, Severity, usize, usize)> {
        check(text, &[])
            .into_iter()
            .map(|h| (h.term, h.severity, h.start, h.end))
            .collect()
    }

    #[test]
    fn normalised_variants_hit_the_same_term() {
        for text in ["N O.1", "ＮＯ．１", "no.1"] {
            assert_eq!(
                terms(text),
                vec![("NO.1".to_owned(), B, 0, text.chars().count())],
                "{text}"
            );
        }
        assert_eq!(terms("Top 1 好货")[0].0, "TOP1");
        assert_eq!(terms("最 佳选择")[0], ("最佳".to_owned(), B, 0, 3));
    }

    #[test]
    fn longest_match_wins_and_scanning_resumes_after_it() {
        assert_eq!(
            terms("全网最低价"),
            vec![("全网最低价".to_owned(), B, 0, 5)]
        );
        assert_eq!(
            terms("史上最低价促销"),
            vec![("史上最低价".to_owned(), B, 0, 5)]
        );
    }

    #[test]
    fn latin_terms_need_non_alphanumeric_neighbours() {
        assert!(terms("15A级景区").is_empty());
        assert!(terms("top10榜单").is_empty());
        assert_eq!(terms("iPhone TOP1款").len(), 1);
        assert_eq!(terms("100%棉"), vec![("100%".to_owned(), W, 0, 4)]);
    }

    #[test]
    fn bare_zui_blocks_before_listed_characters_and_allows_built_in_words() {
        assert_eq!(terms("最美连衣裙"), vec![("最美".to_owned(), B, 0, 2)]);
        assert_eq!(terms("最萌"), vec![("最萌".to_owned(), W, 0, 2)]);
        assert!(terms("最近上新 最终解释权归本店 最初的梦想").is_empty());
        assert_eq!(terms("最新款")[0], ("最新".to_owned(), W, 0, 2));
    }

    #[test]
    fn positions_refer_to_the_original_text() {
        let hits = check("夏季 ＮＯ．１ 爆款", &[]);
        assert_eq!((hits[0].start, hits[0].end), (3, 7));
    }

    #[test]
    fn allow_listed_phrases_drop_the_hits_inside_them() {
        let allowed = vec!["2023年天猫连衣裙类目销量第一".to_owned()];
        assert!(check("2023年天猫连衣裙类目销量第一", &allowed).is_empty());
        assert_eq!(check("销量第一", &allowed).len(), 1);
    }

    #[test]
    fn title_length_counts_wide_characters_twice() {
        let title = "2024新款 女士真丝连衣裙 法式复古碎花长裙 夏季高腰显瘦A字裙";
        assert_eq!(title_length(title, true), 58);
        assert_eq!(title_length(&format!("{title}包邮"), true), 62);
        assert_eq!(title_length(title, false), 33);
    }
}
