//! Channel adapters: each marketplace sends orders in its own JSON shape; these turn them into
//! the one [`OrderForm`], or say exactly which field is missing or malformed.
//!
//! [`adapt`] takes the payload's style (one of [`STYLES`]: `taobao`, `jd`, `pdd`), the seller's
//! own code for the shop it came from (it becomes [`OrderForm::channel`], so one seller can run
//! several shops of one style) and the payload's bytes. An [`AdapterError`] names the channel, the
//! field as a JSON path (`orders[2].num`, `consigneeInfo.mobile`; `$` is the whole payload) and
//! the problem; it converts into [`Error::InvalidInput`](crate::Error::InvalidInput).
//!
//! Rules shared by every style:
//!
//! - Fields not described here are ignored; a field set to `null` counts as absent.
//! - Order ids may be strings or non-negative whole numbers. The order key
//!   `channel:channel_order_id` must fit [`ORDER_ID_BYTES_MAX`], so a channel code may not contain
//!   `:` (keys would become ambiguous).
//! - Quantities are whole numbers from 1 to [`LINE_QTY_MAX`]; SKU codes are non-empty and at most
//!   [`CODE_BYTES_MAX`] bytes; an order has 1 to [`ORDER_LINES_MAX`] lines; the payload is at
//!   most [`PAYLOAD_BYTES_MAX`] bytes and nests at most [`PAYLOAD_DEPTH_MAX`] arrays or objects
//!   deep; address fields at most [`ADDRESS_FIELD_BYTES_MAX`] bytes and buyer ids at most
//!   [`BUYER_ID_BYTES_MAX`].
//! - Order ids, buyer ids and SKU codes are identifiers, and address fields free text on one
//!   line, by the engine's one rule for each (`validate`): no control, format (zero-width, BOM,
//!   bidi) or invisible character in any of them; no whitespace at an identifier's ends, none
//!   at all in a SKU code. The field is named, as for every other problem.
//! - Prices in yuan are decimal strings (`"12.50"` is 1250 fen; `"12"` and `"12.5"` are accepted;
//!   more than two decimals, signs, exponents and JSON numbers are not, because a float cannot
//!   hold every fen amount exactly).
//! - Times are `"YYYY-MM-DD HH:MM:SS"` in Beijing time (UTC+8), converted to ms since the epoch;
//!   an absent time is 0 ("unknown").
//! - Address fields must be present as strings but may be empty: an empty or unknown province,
//!   city or phone is for the address checks to flag (`check_address`), not a reason to refuse
//!   the order. The district is optional.
//!
//! # `taobao`
//!
//! Order id `tid`; buyer `buyer_nick`; phone `receiver_mobile`, or when that is empty the
//! optional landline `receiver_phone`; cross-border `is_cross_border` (optional boolean); time
//! `created` (optional). Lines `orders[]` with `outer_sku_id`, `num` (a number) and `price`
//! (yuan). `status`: `TRADE_NO_CREATE_PAY`, `WAIT_BUYER_PAY`, `PAY_PENDING`,
//! `WAIT_PRE_AUTH_CONFIRM` and `TRADE_CLOSED_BY_TAOBAO` (closed before payment) are unpaid;
//! `WAIT_SELLER_SEND_GOODS`, `SELLER_CONSIGNED_PART`, `WAIT_BUYER_CONFIRM_GOODS`,
//! `TRADE_BUYER_SIGNED`, `TRADE_FINISHED` and `PAID_FORBID_CONSIGN` are paid; `TRADE_CLOSED`
//! (closed after a refund) is refunded. Returns reach a Taobao shop as refunds, never as trades,
//! so `is_return` is always false.
//!
//! ```json
//! {
//!   "tid": "3658120094471538172",
//!   "buyer_nick": "小林爱喝茶",
//!   "status": "WAIT_SELLER_SEND_GOODS",
//!   "created": "2024-03-15 14:30:05",
//!   "is_cross_border": false,
//!   "payment": "2623.00",
//!   "receiver_name": "林小雨",
//!   "receiver_mobile": "13812345678",
//!   "receiver_phone": "",
//!   "receiver_state": "广东省",
//!   "receiver_city": "深圳市",
//!   "receiver_district": "南山区",
//!   "receiver_address": "粤海街道科技园南区深南大道10000号3栋1201",
//!   "orders": [
//!     {"oid": "3658120094472538172", "outer_sku_id": "SOFA-3P-GREY", "title": "北欧布艺三人沙发", "num": 2, "price": "1299.00"},
//!     {"oid": "3658120094473538172", "outer_sku_id": "CUSHION-45", "title": "抱枕 45cm", "num": 2, "price": "12.50"}
//!   ]
//! }
//! ```
//!
//! # `jd`
//!
//! camelCase. Order id `orderId`; buyer `pin`; the address in the object `consigneeInfo`
//! (`fullname`, `mobile` or when that is empty the optional `telephone`, `province`, `city`,
//! `county` optional, `fullAddress`); cross-border `isGlobalBuy` (optional boolean); time
//! `orderStartTime` (optional); `orderType` (optional; a number or a string of digits; 22 is a
//! return or exchange order). Lines `itemInfoList[]` with `outerSkuId`, `skuNum` (a number or a
//! string of digits) and `jdPrice` (yuan). `orderState`: `WAIT_PAY` is unpaid;
//! `WAIT_SELLER_STOCK_OUT`, `WAIT_SELLER_DELIVERY`, `WAIT_GOODS_RECEIVE_CONFIRM`, `FINISHED_L`,
//! `LOCKED` and `POP_ORDER_PAUSE` are paid; `TRADE_CANCELED` is refunded (JD shows an order to
//! the seller once it is paid, so a cancelled one was paid back).
//!
//! ```json
//! {
//!   "orderId": 289012345678,
//!   "venderId": "10086",
//!   "pin": "jd_5f2c9a7b1e3d",
//!   "orderState": "WAIT_SELLER_STOCK_OUT",
//!   "orderType": 0,
//!   "isGlobalBuy": false,
//!   "orderStartTime": "2024-03-16 09:12:44",
//!   "orderTotalPrice": "355.99",
//!   "consigneeInfo": {
//!     "fullname": "王强",
//!     "mobile": "139 1111 2222",
//!     "telephone": "010-62345678",
//!     "province": "北京",
//!     "city": "北京市",
//!     "county": "海淀区",
//!     "fullAddress": "北京海淀区中关村大街27号中关村大厦1205"
//!   },
//!   "itemInfoList": [
//!     {"skuId": "100012043978", "outerSkuId": "KETTLE-1.7L", "skuName": "电热水壶 1.7L", "skuNum": "1", "jdPrice": "199.00"},
//!     {"skuId": "100009876543", "outerSkuId": "MUG-350", "skuName": "马克杯 350ml", "skuNum": 3, "jdPrice": "52.33"}
//!   ]
//! }
//! ```
//!
//! # `pdd`
//!
//! snake_case, flat. Order id `order_sn`; buyer `buyer_id` (optional, a string or a number: when
//! absent, the digits of `receiver_phone` prefixed `phone:` stand in for it, so that velocity
//! checks never lump every anonymous buyer into one); address `receiver_name`, `receiver_phone`,
//! `province`, `city`, `town` (optional), `address`; time `created_time` (optional). Lines
//! `item_list[]` with `outer_sku_id`, `goods_count` (a number) and `goods_price` (a whole number
//! of fen). `pay_status`: 0 unpaid, 1 paid, 2 refunded. `return_status` (optional): 0 none, 1 a
//! return, 2 an exchange. `is_cross_border` (optional): 0 or 1.
//!
//! ```json
//! {
//!   "order_sn": "240317-581234567890123",
//!   "buyer_id": 7401234567,
//!   "pay_status": 1,
//!   "return_status": 0,
//!   "is_cross_border": 0,
//!   "created_time": "2024-03-17 20:05:00",
//!   "pay_amount": 11970,
//!   "receiver_name": "张伟",
//!   "receiver_phone": "+86 186 0000 1234",
//!   "province": "四川省",
//!   "city": "成都市",
//!   "town": "武侯区",
//!   "address": "天府大道北段1700号环球中心E1区",
//!   "item_list": [
//!     {"goods_id": 312345678, "goods_name": "加厚抽纸 24包", "outer_sku_id": "TISSUE-24", "goods_count": 3, "goods_price": 3990}
//!   ]
//! }
//! ```

use std::fmt;

use serde_json::{Map, Value};

use crate::limits::{
    ADDRESS_FIELD_BYTES_MAX, BUYER_ID_BYTES_MAX, CODE_BYTES_MAX, LINE_QTY_MAX, ORDER_ID_BYTES_MAX, ORDER_LINES_MAX,
    PAYLOAD_BYTES_MAX, PAYLOAD_DEPTH_MAX,
};
use crate::order::form::{Address, FormLine, OrderForm, PaymentState};
use crate::validate;

/// The payload styles [`adapt`] understands.
pub const STYLES: [&str; 3] = ["taobao", "jd", "pdd"];

/// A payload that could not become an order form: which channel, which field, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdapterError {
    /// The seller's code for the shop (the `channel_code` given to [`adapt`]).
    pub channel: String,
    /// The field as a JSON path (`orders[2].num`); `$` is the whole payload; `channel_style` and
    /// `channel_code` are the arguments of [`adapt`].
    pub field: String,
    pub problem: String,
}

impl fmt::Display for AdapterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "order from channel {:?}: {}: {}", self.channel, self.field, self.problem)
    }
}

impl std::error::Error for AdapterError {}

impl From<AdapterError> for crate::Error {
    fn from(error: AdapterError) -> crate::Error {
        crate::Error::invalid(error.to_string())
    }
}

/// Turns a marketplace payload of style `channel_style` (one of [`STYLES`]) from the shop the
/// seller calls `channel_code` into an order form. See the module doc for each style's fields.
pub fn adapt(channel_style: &str, channel_code: &str, payload: &[u8]) -> Result<OrderForm, AdapterError> {
    adapt_fields(channel_style, channel_code, payload).map_err(|FieldError { field, problem }| AdapterError {
        channel: channel_code.to_string(),
        field,
        problem,
    })
}

fn adapt_fields(channel_style: &str, channel_code: &str, payload: &[u8]) -> Parsed<OrderForm> {
    let adapter: fn(&Object<'_>, &str) -> Parsed<OrderForm> = match channel_style {
        "taobao" => taobao,
        "jd" => jd,
        "pdd" => pdd,
        unknown => {
            return Err(FieldError::new(
                "channel_style",
                format!("unknown style {:?}; known styles: {}", clipped(unknown), STYLES.join(", ")),
            ));
        }
    };
    check_channel_code(channel_code)?;
    if payload.len() > PAYLOAD_BYTES_MAX {
        return Err(FieldError::new(
            ROOT,
            format!("the payload is {} bytes, above the limit PAYLOAD_BYTES_MAX = {PAYLOAD_BYTES_MAX}", payload.len()),
        ));
    }
    let too_deep = |depth: &str| {
        FieldError::new(
            ROOT,
            format!(
                "the payload nests {depth} arrays or objects deep, above the limit PAYLOAD_DEPTH_MAX = {PAYLOAD_DEPTH_MAX}"
            ),
        )
    };
    // serde_json refuses to recurse past 128 levels while it parses (so no payload can overflow
    // the stack); the tree it returns is then measured against the tighter named limit, which
    // costs a walk over its nodes instead of a pass over every byte of the payload.
    let root: Value = serde_json::from_slice(payload).map_err(|error| {
        if error.to_string().starts_with("recursion limit exceeded") {
            too_deep("more than 128")
        } else {
            FieldError::new(ROOT, format!("the payload is not valid JSON: {error}"))
        }
    })?;
    let depth = nesting(&root);
    if depth > PAYLOAD_DEPTH_MAX {
        return Err(too_deep(&depth.to_string()));
    }
    let Value::Object(fields) = &root else {
        return Err(FieldError::new(ROOT, format!("must be a JSON object, got {}", describe(&root))));
    };
    adapter(&Object { fields, path: String::new() }, channel_code)
}

/// How many arrays or objects deep `value` nests (a scalar: 0). serde_json's parse has bounded
/// it (at 128), so the recursion is bounded too.
fn nesting(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(nesting).max().unwrap_or(0),
        Value::Object(fields) => 1 + fields.values().map(nesting).max().unwrap_or(0),
        _ => 0,
    }
}

fn check_channel_code(channel_code: &str) -> Parsed<()> {
    let problem = if channel_code.is_empty() {
        "must not be empty".to_string()
    } else if channel_code.contains(':') {
        "must not contain ':', which separates channel and order id in order keys".to_string()
    } else if channel_code.len() + 2 > ORDER_ID_BYTES_MAX {
        // The key is `channel:id` and an id has at least one byte.
        format!(
            "is {} bytes, which leaves no room for an order id within ORDER_ID_BYTES_MAX = {ORDER_ID_BYTES_MAX}",
            channel_code.len()
        )
    } else if let Err(refusal) = validate::inspect(validate::CHANNEL_CODE, channel_code) {
        problem(refusal)
    } else {
        return Ok(());
    };
    Err(FieldError::new("channel_code", problem))
}

fn taobao(order: &Object<'_>, channel: &str) -> Parsed<OrderForm> {
    const STATUSES: [(&str, PaymentState); 12] = [
        ("TRADE_NO_CREATE_PAY", PaymentState::Unpaid),
        ("WAIT_BUYER_PAY", PaymentState::Unpaid),
        ("PAY_PENDING", PaymentState::Unpaid),
        ("WAIT_PRE_AUTH_CONFIRM", PaymentState::Unpaid),
        ("TRADE_CLOSED_BY_TAOBAO", PaymentState::Unpaid),
        ("WAIT_SELLER_SEND_GOODS", PaymentState::Paid),
        ("SELLER_CONSIGNED_PART", PaymentState::Paid),
        ("WAIT_BUYER_CONFIRM_GOODS", PaymentState::Paid),
        ("TRADE_BUYER_SIGNED", PaymentState::Paid),
        ("TRADE_FINISHED", PaymentState::Paid),
        ("PAID_FORBID_CONSIGN", PaymentState::Paid),
        ("TRADE_CLOSED", PaymentState::Refunded),
    ];
    let channel_order_id = order.order_id("tid", channel)?;
    let buyer_id = order.buyer_id("buyer_nick")?;
    let payment = order.named_state("status", &STATUSES)?;
    let placed_at_ms = order.optional_time("created")?;
    let cross_border = order.optional_bool("is_cross_border")?;
    let ship_to = Address {
        recipient: order.address_text("receiver_name")?,
        phone: mobile_or_landline(
            order.address_text("receiver_mobile")?,
            order.optional_address_text("receiver_phone")?,
        ),
        province: order.address_text("receiver_state")?,
        city: order.address_text("receiver_city")?,
        district: order.optional_address_text("receiver_district")?,
        detail: order.address_text("receiver_address")?,
    };
    let lines = order.lines("orders", |item| {
        Ok(FormLine {
            sku: item.sku("outer_sku_id")?,
            qty: item.quantity("num", Whole::NumberOnly)?,
            unit_price_minor: item.yuan("price")?,
        })
    })?;
    Ok(OrderForm {
        channel: channel.to_string(),
        channel_order_id,
        buyer_id,
        ship_to,
        lines,
        cross_border,
        is_return: false,
        payment,
        placed_at_ms,
    })
}

/// JD's order type for a return or exchange order.
const JD_ORDER_TYPE_RETURN: u64 = 22;

fn jd(order: &Object<'_>, channel: &str) -> Parsed<OrderForm> {
    const STATES: [(&str, PaymentState); 8] = [
        ("WAIT_PAY", PaymentState::Unpaid),
        ("WAIT_SELLER_STOCK_OUT", PaymentState::Paid),
        ("WAIT_SELLER_DELIVERY", PaymentState::Paid),
        ("WAIT_GOODS_RECEIVE_CONFIRM", PaymentState::Paid),
        ("FINISHED_L", PaymentState::Paid),
        ("LOCKED", PaymentState::Paid),
        ("POP_ORDER_PAUSE", PaymentState::Paid),
        ("TRADE_CANCELED", PaymentState::Refunded),
    ];
    let channel_order_id = order.order_id("orderId", channel)?;
    let buyer_id = order.buyer_id("pin")?;
    let payment = order.named_state("orderState", &STATES)?;
    let order_type = order.optional_whole("orderType", Whole::NumberOrDigits)?;
    let placed_at_ms = order.optional_time("orderStartTime")?;
    let cross_border = order.optional_bool("isGlobalBuy")?;
    let consignee = order.object("consigneeInfo")?;
    let ship_to = Address {
        recipient: consignee.address_text("fullname")?,
        phone: mobile_or_landline(consignee.address_text("mobile")?, consignee.optional_address_text("telephone")?),
        province: consignee.address_text("province")?,
        city: consignee.address_text("city")?,
        district: consignee.optional_address_text("county")?,
        detail: consignee.address_text("fullAddress")?,
    };
    let lines = order.lines("itemInfoList", |item| {
        Ok(FormLine {
            sku: item.sku("outerSkuId")?,
            qty: item.quantity("skuNum", Whole::NumberOrDigits)?,
            unit_price_minor: item.yuan("jdPrice")?,
        })
    })?;
    Ok(OrderForm {
        channel: channel.to_string(),
        channel_order_id,
        buyer_id,
        ship_to,
        lines,
        cross_border,
        is_return: order_type == Some(JD_ORDER_TYPE_RETURN),
        payment,
        placed_at_ms,
    })
}

fn pdd(order: &Object<'_>, channel: &str) -> Parsed<OrderForm> {
    let channel_order_id = order.order_id("order_sn", channel)?;
    let payment = match order.whole("pay_status", Whole::NumberOnly)? {
        0 => PaymentState::Unpaid,
        1 => PaymentState::Paid,
        2 => PaymentState::Refunded,
        other => {
            return Err(order.error("pay_status", format!("must be 0 (unpaid), 1 (paid) or 2 (refunded), got {other}")));
        }
    };
    let is_return = match order.optional_whole("return_status", Whole::NumberOnly)? {
        None | Some(0) => false,
        Some(1 | 2) => true,
        Some(other) => {
            return Err(
                order.error("return_status", format!("must be 0 (none), 1 (return) or 2 (exchange), got {other}"))
            );
        }
    };
    let cross_border = match order.optional_whole("is_cross_border", Whole::NumberOnly)? {
        None | Some(0) => false,
        Some(1) => true,
        Some(other) => return Err(order.error("is_cross_border", format!("must be 0 or 1, got {other}"))),
    };
    let placed_at_ms = order.optional_time("created_time")?;
    let ship_to = Address {
        recipient: order.address_text("receiver_name")?,
        phone: order.address_text("receiver_phone")?,
        province: order.address_text("province")?,
        city: order.address_text("city")?,
        district: order.optional_address_text("town")?,
        detail: order.address_text("address")?,
    };
    let buyer_id = match order.optional_value("buyer_id") {
        Some(_) => order.buyer_id("buyer_id")?,
        None => {
            let digits: String = ship_to.phone.chars().filter(char::is_ascii_digit).collect();
            if digits.is_empty() {
                return Err(order.error("buyer_id", "missing, and receiver_phone has no digits to stand in for it"));
            }
            format!("phone:{digits}")
        }
    };
    let lines = order.lines("item_list", |item| {
        Ok(FormLine {
            sku: item.sku("outer_sku_id")?,
            qty: item.quantity("goods_count", Whole::NumberOnly)?,
            unit_price_minor: item.whole("goods_price", Whole::NumberOnly)?,
        })
    })?;
    Ok(OrderForm {
        channel: channel.to_string(),
        channel_order_id,
        buyer_id,
        ship_to,
        lines,
        cross_border,
        is_return,
        payment,
        placed_at_ms,
    })
}

/// The mobile number when there is one, else the landline: the carrier calls whichever exists.
fn mobile_or_landline(mobile: String, landline: String) -> String {
    if mobile.trim().is_empty() { landline } else { mobile }
}

/// A refusal of the identifier and free-text rules (`validate`) as a field's problem.
fn problem(refusal: validate::Refusal) -> String {
    match refusal {
        validate::Refusal::Empty | validate::Refusal::Blank { .. } => "must not be empty".to_string(),
        other => other.to_string(),
    }
}

/// The path of the whole payload in errors.
const ROOT: &str = "$";

type Parsed<T> = Result<T, FieldError>;

/// An [`AdapterError`] before the channel is attached.
#[derive(Debug)]
struct FieldError {
    field: String,
    problem: String,
}

impl FieldError {
    fn new(field: impl Into<String>, problem: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), problem: problem.into() }
    }
}

/// Whether a whole number may also arrive as a string of digits (some channels quote numbers).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Whole {
    NumberOnly,
    NumberOrDigits,
}

/// A JSON object of the payload and its path, so that every error can name its field.
struct Object<'a> {
    fields: &'a Map<String, Value>,
    /// Empty for the payload's top level.
    path: String,
}

impl<'a> Object<'a> {
    fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) }
    }

    fn error(&self, key: &str, problem: impl Into<String>) -> FieldError {
        FieldError::new(self.path_of(key), problem)
    }

    /// The field's value, `None` when absent or `null`.
    fn optional_value(&self, key: &str) -> Option<&'a Value> {
        self.fields.get(key).filter(|value| !value.is_null())
    }

    fn value(&self, key: &str) -> Parsed<&'a Value> {
        match self.fields.get(key) {
            None => Err(self.error(key, "missing")),
            Some(value) => Ok(value),
        }
    }

    fn string(&self, key: &str) -> Parsed<&'a str> {
        match self.value(key)? {
            Value::String(text) => Ok(text),
            other => Err(self.error(key, format!("must be a string, got {}", describe(other)))),
        }
    }

    fn optional_string(&self, key: &str) -> Parsed<Option<&'a str>> {
        match self.optional_value(key) {
            None => Ok(None),
            Some(_) => self.string(key).map(Some),
        }
    }

    fn object(&self, key: &str) -> Parsed<Object<'a>> {
        match self.value(key)? {
            Value::Object(fields) => Ok(Object { fields, path: self.path_of(key) }),
            other => Err(self.error(key, format!("must be an object, got {}", describe(other)))),
        }
    }

    /// `text` checked against `field`'s rule (identifier, code or free text; `validate`).
    fn valid(&self, key: &str, text: String, field: validate::Field) -> Parsed<String> {
        match validate::inspect(field, &text) {
            Ok(()) => Ok(text),
            Err(refusal) => Err(self.error(key, problem(refusal))),
        }
    }

    /// A string of at most `bytes_max` bytes (the limit named `limit`).
    fn bounded(&self, key: &str, text: &str, limit: &str, bytes_max: usize) -> Parsed<String> {
        if text.len() > bytes_max {
            return Err(self.error(key, format!("is {} bytes, above the limit {limit} = {bytes_max}", text.len())));
        }
        Ok(text.to_string())
    }

    /// The channel's order id (a string or a whole number), short enough that the order key
    /// `channel:id` fits `ORDER_ID_BYTES_MAX`.
    fn order_id(&self, key: &str, channel: &str) -> Parsed<String> {
        let id = self.id_text(key)?;
        let key_bytes = channel.len() + 1 + id.len();
        if key_bytes > ORDER_ID_BYTES_MAX {
            return Err(self.error(
                key,
                format!(
                    "the order key \"{channel}:{}\" is {key_bytes} bytes, above the limit ORDER_ID_BYTES_MAX = {ORDER_ID_BYTES_MAX}",
                    clipped(&id)
                ),
            ));
        }
        self.valid(key, id, validate::CHANNEL_ORDER_ID)
    }

    fn buyer_id(&self, key: &str) -> Parsed<String> {
        let id = self.id_text(key)?;
        let id = self.bounded(key, &id, "BUYER_ID_BYTES_MAX", BUYER_ID_BYTES_MAX)?;
        self.valid(key, id, validate::BUYER_ID)
    }

    /// An id: a non-blank string, or a non-negative whole number written in decimal.
    fn id_text(&self, key: &str) -> Parsed<String> {
        match self.value(key)? {
            Value::String(text) if text.trim().is_empty() => Err(self.error(key, "must not be empty")),
            Value::String(text) => Ok(text.clone()),
            Value::Number(number) => match number.as_u64() {
                Some(id) => Ok(id.to_string()),
                None => Err(self.error(key, format!("must be a whole number of at most 20 digits, got {number}"))),
            },
            other => Err(self.error(key, format!("must be a string or a whole number, got {}", describe(other)))),
        }
    }

    /// An address field: free text on one line (`validate::ADDRESS_FIELD`), possibly empty.
    fn address_text(&self, key: &str) -> Parsed<String> {
        let text = self.string(key)?;
        let text = self.bounded(key, text, "ADDRESS_FIELD_BYTES_MAX", ADDRESS_FIELD_BYTES_MAX)?;
        self.valid(key, text, validate::ADDRESS_FIELD)
    }

    /// An address field that may be absent: then it is empty.
    fn optional_address_text(&self, key: &str) -> Parsed<String> {
        match self.optional_string(key)? {
            None => Ok(String::new()),
            Some(_) => self.address_text(key),
        }
    }

    fn optional_bool(&self, key: &str) -> Parsed<bool> {
        match self.optional_value(key) {
            None => Ok(false),
            Some(Value::Bool(flag)) => Ok(*flag),
            Some(other) => Err(self.error(key, format!("must be true or false, got {}", describe(other)))),
        }
    }

    fn optional_time(&self, key: &str) -> Parsed<u64> {
        match self.optional_string(key)? {
            None => Ok(0),
            Some(text) => beijing_time_ms(text).map_err(|problem| self.error(key, problem)),
        }
    }

    /// A string that must be one of `states`' names.
    fn named_state(&self, key: &str, states: &[(&str, PaymentState)]) -> Parsed<PaymentState> {
        let name = self.string(key)?;
        match states.iter().find(|(known, _)| *known == name) {
            Some((_, state)) => Ok(*state),
            None => {
                let known: Vec<&str> = states.iter().map(|(known, _)| *known).collect();
                Err(self.error(key, format!("unknown value {:?}; known values: {}", clipped(name), known.join(", "))))
            }
        }
    }

    fn whole(&self, key: &str, form: Whole) -> Parsed<u64> {
        whole_number(self.value(key)?, form).map_err(|problem| self.error(key, problem))
    }

    fn optional_whole(&self, key: &str, form: Whole) -> Parsed<Option<u64>> {
        match self.optional_value(key) {
            None => Ok(None),
            Some(_) => self.whole(key, form).map(Some),
        }
    }

    fn quantity(&self, key: &str, form: Whole) -> Parsed<u32> {
        let qty = self.whole(key, form)?;
        if qty == 0 {
            return Err(self.error(key, "must be at least 1, got 0"));
        }
        match u32::try_from(qty) {
            Ok(qty) if qty <= LINE_QTY_MAX => Ok(qty),
            _ => Err(self.error(key, format!("is {qty}, above the limit LINE_QTY_MAX = {LINE_QTY_MAX}"))),
        }
    }

    fn sku(&self, key: &str) -> Parsed<String> {
        let sku = self.string(key)?;
        if sku.trim().is_empty() {
            return Err(self.error(key, "must not be empty"));
        }
        let sku = self.bounded(key, sku, "CODE_BYTES_MAX", CODE_BYTES_MAX)?;
        self.valid(key, sku, validate::SKU_CODE)
    }

    /// A price in yuan as a decimal string, in fen.
    fn yuan(&self, key: &str) -> Parsed<u64> {
        match self.value(key)? {
            Value::String(text) => yuan_to_fen(text).map_err(|problem| self.error(key, problem)),
            other => Err(self.error(
                key,
                format!("must be an amount of yuan as a decimal string like \"12.50\", got {}", describe(other)),
            )),
        }
    }

    /// The order's lines: an array of 1 to `ORDER_LINES_MAX` objects, each read by `read_line`.
    fn lines(&self, key: &str, read_line: impl Fn(&Object<'a>) -> Parsed<FormLine>) -> Parsed<Vec<FormLine>> {
        let items = match self.value(key)? {
            Value::Array(items) => items,
            other => return Err(self.error(key, format!("must be an array of lines, got {}", describe(other)))),
        };
        if items.is_empty() {
            return Err(self.error(key, "must hold at least one line"));
        }
        if items.len() > ORDER_LINES_MAX {
            return Err(self.error(
                key,
                format!("holds {} lines, above the limit ORDER_LINES_MAX = {ORDER_LINES_MAX}", items.len()),
            ));
        }
        let array_path = self.path_of(key);
        let mut lines = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let path = format!("{array_path}[{index}]");
            let Value::Object(fields) = item else {
                return Err(FieldError::new(path, format!("must be an object, got {}", describe(item))));
            };
            lines.push(read_line(&Object { fields, path })?);
        }
        Ok(lines)
    }
}

/// A whole number (`u64`), from a JSON number or, where `form` allows, a string of digits.
fn whole_number(value: &Value, form: Whole) -> Result<u64, String> {
    let expected = match form {
        Whole::NumberOnly => "a whole number",
        Whole::NumberOrDigits => "a whole number or a string of digits",
    };
    match value {
        Value::Number(number) => {
            if let Some(whole) = number.as_u64() {
                Ok(whole)
            } else if number.as_i64().is_some() {
                Err(format!("must not be negative, got {number}"))
            } else {
                Err(format!("must be {expected}, got the number {number}"))
            }
        }
        Value::String(text) if form == Whole::NumberOrDigits => {
            if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
                return Err(format!("must be {expected}, got {}", describe(value)));
            }
            text.parse::<u64>().map_err(|_| format!("is too large: {}", clipped(text)))
        }
        other => Err(format!("must be {expected}, got {}", describe(other))),
    }
}

/// Fen in one yuan.
const FEN_PER_YUAN: u64 = 100;

/// `"12.50"` → 1250 fen. Digits, then optionally a point and one or two digits; nothing else.
fn yuan_to_fen(text: &str) -> Result<u64, String> {
    let malformed = || format!("must be an amount of yuan as a decimal string like \"12.50\", got {:?}", clipped(text));
    if text.starts_with('-') {
        return Err(format!("must not be negative, got {:?}", clipped(text)));
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    if !all_digits(whole) || fraction.is_some_and(|fraction| !all_digits(fraction)) {
        return Err(malformed());
    }
    let fraction_fen = match fraction.map(str::as_bytes) {
        None => 0,
        Some([tenths]) => u64::from(tenths - b'0') * 10,
        Some([tenths, hundredths]) => u64::from(tenths - b'0') * 10 + u64::from(hundredths - b'0'),
        Some(_) => return Err(format!("has more than two decimals (fen are the smallest unit): {:?}", clipped(text))),
    };
    let too_large = || format!("is too large: {:?}", clipped(text));
    let whole_yuan: u64 = whole.parse().map_err(|_| too_large())?;
    whole_yuan.checked_mul(FEN_PER_YUAN).and_then(|fen| fen.checked_add(fraction_fen)).ok_or_else(too_large)
}

/// Beijing time is UTC+8 all year (no daylight saving since 1991).
const BEIJING_OFFSET_SECONDS: u64 = 8 * 3600;

/// `"2024-03-15 14:30:05"` in Beijing time → ms since the Unix epoch.
fn beijing_time_ms(text: &str) -> Result<u64, String> {
    let malformed = || format!("must be a time like \"2024-03-15 14:30:05\" (Beijing time), got {:?}", clipped(text));
    let bytes = text.as_bytes();
    if bytes.len() != 19 {
        return Err(malformed());
    }
    let separators_fit = [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')]
        .iter()
        .all(|&(position, separator)| bytes[position] == separator);
    if !separators_fit {
        return Err(malformed());
    }
    let number = |from: usize, to: usize| -> Result<u64, String> {
        bytes[from..to]
            .iter()
            .try_fold(
                0u64,
                |sum, &byte| if byte.is_ascii_digit() { Ok(sum * 10 + u64::from(byte - b'0')) } else { Err(()) },
            )
            .map_err(|()| malformed())
    };
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(format!("is not a calendar date: {:?}", clipped(text)));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(format!("is not a time of day: {:?}", clipped(text)));
    }
    if year < 1970 {
        return Err(format!("is before 1970: {:?}", clipped(text)));
    }
    let local_seconds = days_since_epoch(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    match local_seconds.checked_sub(BEIJING_OFFSET_SECONDS) {
        Some(utc_seconds) => Ok(utc_seconds * 1000),
        None => Err(format!("is before the Unix epoch: {:?}", clipped(text))),
    }
}

fn is_leap_year(year: u64) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Leap years from year 1 through `year` (Gregorian rules, extended backwards).
fn leap_years_through(year: u64) -> u64 {
    year / 4 - year / 100 + year / 400
}

/// Days from 1970-01-01 to the given date (proleptic Gregorian calendar; `year` ≥ 1970).
fn days_since_epoch(year: u64, month: u64, day: u64) -> u64 {
    let days_before_year = 365 * (year - 1970) + leap_years_through(year - 1) - leap_years_through(1969);
    let days_before_month: u64 = (1..month).map(|earlier| days_in_month(year, earlier)).sum();
    days_before_year + days_before_month + (day - 1)
}

/// Longest piece of an input value quoted back in an error, in characters: enough to recognise
/// it, never the whole of a 256 KiB payload.
const QUOTED_CHARS_MAX: usize = 40;

fn clipped(text: &str) -> String {
    match text.char_indices().nth(QUOTED_CHARS_MAX) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

/// What a JSON value is, for "must be X, got Y" messages.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(flag) => format!("the boolean {flag}"),
        Value::Number(number) => format!("the number {number}"),
        Value::String(text) => format!("the string {:?}", clipped(text)),
        Value::Array(items) => format!("an array of {} items", items.len()),
        Value::Object(_) => "an object".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const TAOBAO_EXAMPLE: &str = r#"{
  "tid": "3658120094471538172",
  "buyer_nick": "小林爱喝茶",
  "status": "WAIT_SELLER_SEND_GOODS",
  "created": "2024-03-15 14:30:05",
  "is_cross_border": false,
  "payment": "2623.00",
  "receiver_name": "林小雨",
  "receiver_mobile": "13812345678",
  "receiver_phone": "",
  "receiver_state": "广东省",
  "receiver_city": "深圳市",
  "receiver_district": "南山区",
  "receiver_address": "粤海街道科技园南区深南大道10000号3栋1201",
  "orders": [
    {"oid": "3658120094472538172", "outer_sku_id": "SOFA-3P-GREY", "title": "北欧布艺三人沙发", "num": 2, "price": "1299.00"},
    {"oid": "3658120094473538172", "outer_sku_id": "CUSHION-45", "title": "抱枕 45cm", "num": 2, "price": "12.50"}
  ]
}"#;

    const JD_EXAMPLE: &str = r#"{
  "orderId": 289012345678,
  "venderId": "10086",
  "pin": "jd_5f2c9a7b1e3d",
  "orderState": "WAIT_SELLER_STOCK_OUT",
  "orderType": 0,
  "isGlobalBuy": false,
  "orderStartTime": "2024-03-16 09:12:44",
  "orderTotalPrice": "355.99",
  "consigneeInfo": {
    "fullname": "王强",
    "mobile": "139 1111 2222",
    "telephone": "010-62345678",
    "province": "北京",
    "city": "北京市",
    "county": "海淀区",
    "fullAddress": "北京海淀区中关村大街27号中关村大厦1205"
  },
  "itemInfoList": [
    {"skuId": "100012043978", "outerSkuId": "KETTLE-1.7L", "skuName": "电热水壶 1.7L", "skuNum": "1", "jdPrice": "199.00"},
    {"skuId": "100009876543", "outerSkuId": "MUG-350", "skuName": "马克杯 350ml", "skuNum": 3, "jdPrice": "52.33"}
  ]
}"#;

    const PDD_EXAMPLE: &str = r#"{
  "order_sn": "240317-581234567890123",
  "buyer_id": 7401234567,
  "pay_status": 1,
  "return_status": 0,
  "is_cross_border": 0,
  "created_time": "2024-03-17 20:05:00",
  "pay_amount": 11970,
  "receiver_name": "张伟",
  "receiver_phone": "+86 186 0000 1234",
  "province": "四川省",
  "city": "成都市",
  "town": "武侯区",
  "address": "天府大道北段1700号环球中心E1区",
  "item_list": [
    {"goods_id": 312345678, "goods_name": "加厚抽纸 24包", "outer_sku_id": "TISSUE-24", "goods_count": 3, "goods_price": 3990}
  ]
}"#;

    fn example(style: &str) -> &'static str {
        match style {
            "taobao" => TAOBAO_EXAMPLE,
            "jd" => JD_EXAMPLE,
            "pdd" => PDD_EXAMPLE,
            _ => unreachable!("no example for {style}"),
        }
    }

    fn example_value(style: &str) -> Value {
        serde_json::from_str(example(style)).expect("the examples are JSON")
    }

    fn adapt_value(style: &str, payload: &Value) -> Result<OrderForm, AdapterError> {
        adapt(style, "shop-1", &serde_json::to_vec(payload).expect("a Value serialises"))
    }

    /// The error's field and problem, for `adapt_value` results that must fail.
    fn failure(style: &str, payload: &Value) -> AdapterError {
        match adapt_value(style, payload) {
            Ok(form) => panic!("{style}: expected an error, got {form:?} from {payload}"),
            Err(error) => error,
        }
    }

    /// The value at a path like `orders[1].num` (test helper; panics on paths the tests got wrong).
    fn at<'v>(root: &'v mut Value, path: &str) -> (&'v mut Map<String, Value>, String) {
        let segments: Vec<&str> = path.split('.').collect();
        let mut current = root;
        for segment in &segments[..segments.len() - 1] {
            current = step(current, segment);
        }
        let last = segments[segments.len() - 1];
        if let Some((name, _)) = last.split_once('[') {
            panic!("the last segment of {path} must be a key, not {name}[..]");
        }
        match current {
            Value::Object(fields) => (fields, last.to_string()),
            _ => panic!("{path}: the parent is not an object"),
        }
    }

    fn step<'v>(value: &'v mut Value, segment: &str) -> &'v mut Value {
        match segment.split_once('[') {
            Some((name, index)) => {
                let index: usize = index.trim_end_matches(']').parse().expect("an index");
                &mut value[name][index]
            }
            None => &mut value[segment],
        }
    }

    fn without(style: &str, path: &str) -> Value {
        let mut payload = example_value(style);
        let (parent, key) = at(&mut payload, path);
        assert!(parent.remove(&key).is_some(), "{style}: the example has no {path}");
        payload
    }

    fn with(style: &str, path: &str, value: Value) -> Value {
        let mut payload = example_value(style);
        let (parent, key) = at(&mut payload, path);
        parent.insert(key, value);
        payload
    }

    const TAOBAO_REQUIRED: [&str; 12] = [
        "tid",
        "buyer_nick",
        "status",
        "receiver_name",
        "receiver_mobile",
        "receiver_state",
        "receiver_city",
        "receiver_address",
        "orders",
        "orders[1].outer_sku_id",
        "orders[1].num",
        "orders[1].price",
    ];
    const JD_REQUIRED: [&str; 13] = [
        "orderId",
        "pin",
        "orderState",
        "consigneeInfo",
        "consigneeInfo.fullname",
        "consigneeInfo.mobile",
        "consigneeInfo.province",
        "consigneeInfo.city",
        "consigneeInfo.fullAddress",
        "itemInfoList",
        "itemInfoList[1].outerSkuId",
        "itemInfoList[1].skuNum",
        "itemInfoList[1].jdPrice",
    ];
    const PDD_REQUIRED: [&str; 10] = [
        "order_sn",
        "pay_status",
        "receiver_name",
        "receiver_phone",
        "province",
        "city",
        "address",
        "item_list",
        "item_list[0].outer_sku_id",
        "item_list[0].goods_count",
    ];
    // goods_price is required too; kept apart because the array above is fixed-size.
    const PDD_REQUIRED_PRICE: &str = "item_list[0].goods_price";

    const TAOBAO_OPTIONAL: [&str; 5] = ["created", "is_cross_border", "receiver_phone", "receiver_district", "payment"];
    const JD_OPTIONAL: [&str; 6] =
        ["orderType", "isGlobalBuy", "orderStartTime", "consigneeInfo.telephone", "consigneeInfo.county", "venderId"];
    const PDD_OPTIONAL: [&str; 5] = ["buyer_id", "return_status", "is_cross_border", "created_time", "town"];

    fn required(style: &str) -> Vec<&'static str> {
        match style {
            "taobao" => TAOBAO_REQUIRED.to_vec(),
            "jd" => JD_REQUIRED.to_vec(),
            "pdd" => PDD_REQUIRED.iter().copied().chain([PDD_REQUIRED_PRICE]).collect(),
            _ => unreachable!(),
        }
    }

    fn optional(style: &str) -> Vec<&'static str> {
        match style {
            "taobao" => TAOBAO_OPTIONAL.to_vec(),
            "jd" => JD_OPTIONAL.to_vec(),
            "pdd" => PDD_OPTIONAL.to_vec(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn the_examples_are_the_ones_in_the_module_doc() {
        let source = include_str!("adapters.rs");
        let doc: String = source
            .lines()
            .filter_map(|line| line.strip_prefix("//! ").or_else(|| (line == "//!").then_some("")))
            .map(|line| format!("{line}\n"))
            .collect();
        for style in STYLES {
            assert!(doc.contains(example(style)), "the {style} example differs from the module doc's");
        }
    }

    #[test]
    fn the_taobao_example_adapts() {
        let form = adapt("taobao", "tmall-flagship", TAOBAO_EXAMPLE.as_bytes()).expect("the example adapts");
        let expected = OrderForm {
            channel: "tmall-flagship".into(),
            channel_order_id: "3658120094471538172".into(),
            buyer_id: "小林爱喝茶".into(),
            ship_to: Address {
                recipient: "林小雨".into(),
                phone: "13812345678".into(),
                province: "广东省".into(),
                city: "深圳市".into(),
                district: "南山区".into(),
                detail: "粤海街道科技园南区深南大道10000号3栋1201".into(),
            },
            lines: vec![
                FormLine { sku: "SOFA-3P-GREY".into(), qty: 2, unit_price_minor: 129_900 },
                FormLine { sku: "CUSHION-45".into(), qty: 2, unit_price_minor: 1250 },
            ],
            cross_border: false,
            is_return: false,
            payment: PaymentState::Paid,
            placed_at_ms: 1_710_484_205_000,
        };
        assert_eq!(form, expected);
        assert_eq!(form.key(), "tmall-flagship:3658120094471538172");
        // The payload's own total agrees with the lines.
        assert_eq!(form.amount_minor(), 262_300);
    }

    #[test]
    fn the_jd_example_adapts() {
        let form = adapt("jd", "jd-pop", JD_EXAMPLE.as_bytes()).expect("the example adapts");
        let expected = OrderForm {
            channel: "jd-pop".into(),
            channel_order_id: "289012345678".into(),
            buyer_id: "jd_5f2c9a7b1e3d".into(),
            ship_to: Address {
                recipient: "王强".into(),
                phone: "139 1111 2222".into(),
                province: "北京".into(),
                city: "北京市".into(),
                district: "海淀区".into(),
                detail: "北京海淀区中关村大街27号中关村大厦1205".into(),
            },
            lines: vec![
                FormLine { sku: "KETTLE-1.7L".into(), qty: 1, unit_price_minor: 19_900 },
                FormLine { sku: "MUG-350".into(), qty: 3, unit_price_minor: 5233 },
            ],
            cross_border: false,
            is_return: false,
            payment: PaymentState::Paid,
            placed_at_ms: 1_710_551_564_000,
        };
        assert_eq!(form, expected);
        assert_eq!(form.amount_minor(), 35_599);
    }

    #[test]
    fn the_pdd_example_adapts() {
        let form = adapt("pdd", "pdd-store", PDD_EXAMPLE.as_bytes()).expect("the example adapts");
        let expected = OrderForm {
            channel: "pdd-store".into(),
            channel_order_id: "240317-581234567890123".into(),
            buyer_id: "7401234567".into(),
            ship_to: Address {
                recipient: "张伟".into(),
                phone: "+86 186 0000 1234".into(),
                province: "四川省".into(),
                city: "成都市".into(),
                district: "武侯区".into(),
                detail: "天府大道北段1700号环球中心E1区".into(),
            },
            lines: vec![FormLine { sku: "TISSUE-24".into(), qty: 3, unit_price_minor: 3990 }],
            cross_border: false,
            is_return: false,
            payment: PaymentState::Paid,
            placed_at_ms: 1_710_677_100_000,
        };
        assert_eq!(form, expected);
        assert_eq!(form.amount_minor(), 11_970);
    }

    #[test]
    fn the_examples_pass_the_address_checks() {
        for style in STYLES {
            let form = adapt(style, "shop", example(style).as_bytes()).expect("the example adapts");
            let flags = crate::order::address::check_address(&form.ship_to, crate::order::address::Divisions::china());
            assert_eq!(flags, [], "{style}");
        }
    }

    #[test]
    fn every_required_field_missing_or_mistyped_is_named() {
        for style in STYLES {
            for path in required(style) {
                let error = failure(style, &without(style, path));
                assert_eq!((error.field.as_str(), error.problem.as_str()), (path, "missing"), "{style}");
                assert_eq!(error.channel, "shop-1");
                for wrong in [json!(true), Value::Null, json!(1.5)] {
                    let error = failure(style, &with(style, path, wrong.clone()));
                    assert_eq!(error.field, path, "{style}: {wrong} at {path}: {error}");
                    assert!(error.problem.starts_with("must be"), "{style} {path}: {}", error.problem);
                }
            }
        }
    }

    #[test]
    fn optional_fields_may_be_absent_or_null_but_not_mistyped() {
        for style in STYLES {
            for path in optional(style) {
                adapt_value(style, &without(style, path))
                    .unwrap_or_else(|error| panic!("{style} without {path}: {error}"));
                adapt_value(style, &with(style, path, Value::Null))
                    .unwrap_or_else(|error| panic!("{style} with null {path}: {error}"));
                if ["payment", "venderId"].contains(&path) {
                    continue; // ignored fields: any type will do
                }
                let error = failure(style, &with(style, path, json!([1])));
                assert_eq!(error.field, path, "{style}: {error}");
            }
        }
    }

    #[test]
    fn absent_optional_fields_take_their_defaults() {
        let form = adapt_value("taobao", &without("taobao", "created")).expect("adapts");
        assert_eq!(form.placed_at_ms, 0);
        let form = adapt_value("taobao", &without("taobao", "receiver_district")).expect("adapts");
        assert_eq!(form.ship_to.district, "");
        let form = adapt_value("jd", &without("jd", "consigneeInfo.county")).expect("adapts");
        assert_eq!(form.ship_to.district, "");
        let form = adapt_value("pdd", &without("pdd", "return_status")).expect("adapts");
        assert!(!form.is_return);
    }

    #[test]
    fn unknown_extra_fields_are_ignored() {
        for style in STYLES {
            let mut payload = example_value(style);
            payload["seller_memo"] = json!({"nested": [1, 2, {"deep": null}]});
            payload["another"] = json!("x");
            let expected = adapt(style, "shop-1", example(style).as_bytes()).expect("adapts");
            assert_eq!(adapt_value(style, &payload).expect("adapts"), expected);
        }
    }

    #[test]
    fn adapter_errors_display_and_convert_into_invalid_input() {
        let error = failure("taobao", &with("taobao", "orders[1].num", json!(0)));
        assert_eq!(error.field, "orders[1].num");
        assert_eq!(error.to_string(), "order from channel \"shop-1\": orders[1].num: must be at least 1, got 0");
        let engine_error: crate::Error = error.into();
        assert_eq!(engine_error.code(), crate::ErrorCode::InvalidInput);
        assert_eq!(
            engine_error.to_string(),
            "invalid input: order from channel \"shop-1\": orders[1].num: must be at least 1, got 0"
        );
        let _: &dyn std::error::Error = &failure("jd", &json!({}));
    }

    #[test]
    fn unknown_styles_and_bad_channel_codes_are_named() {
        let error = adapt("ebay", "shop", b"{}").expect_err("unknown style");
        assert_eq!(error.field, "channel_style");
        assert_eq!(error.problem, "unknown style \"ebay\"; known styles: taobao, jd, pdd");
        for (code, problem) in [
            ("", "must not be empty"),
            ("tb:1", "must not contain ':'"),
            ("tb shop", "whitespace"),
            ("tb\u{7}", "control"),
            ("x".repeat(63).as_str(), "no room for an order id"),
        ] {
            let error = adapt("taobao", code, TAOBAO_EXAMPLE.as_bytes()).expect_err(code);
            assert_eq!(error.field, "channel_code");
            assert!(error.problem.contains(problem), "{code:?}: {}", error.problem);
        }
        // 62 bytes leave room for a one-byte id.
        let one_byte_id = with("taobao", "tid", json!(7));
        let code = "x".repeat(62);
        let form = adapt("taobao", &code, &serde_json::to_vec(&one_byte_id).expect("serialises")).expect("fits");
        assert_eq!(form.key().len(), ORDER_ID_BYTES_MAX);
    }

    #[test]
    fn malformed_payloads_are_errors_on_the_root() {
        for payload in [&b""[..], b"{", b"not json", b"\xff\xfe", b"[]", b"17", b"\"tid\"", b"null"] {
            for style in STYLES {
                let error = adapt(style, "shop", payload).expect_err("malformed");
                assert_eq!(error.field, "$", "{style} {payload:?}: {error}");
            }
        }
        let error = adapt("pdd", "shop", b"[1, 2]").expect_err("an array");
        assert_eq!(error.problem, "must be a JSON object, got an array of 2 items");
        // Nesting deeper than serde_json's recursion limit is an error, not a stack overflow.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(adapt("jd", "shop", deep.as_bytes()).expect_err("too deep").field, "$");
    }

    #[test]
    fn payload_size_is_limited() {
        let mut payload = example_value("taobao");
        payload["padding"] = json!("x".repeat(PAYLOAD_BYTES_MAX));
        let error = failure("taobao", &payload);
        assert_eq!(error.field, "$");
        assert!(error.problem.contains("PAYLOAD_BYTES_MAX = 262144"), "{}", error.problem);
    }

    #[test]
    fn order_ids_are_strings_or_whole_numbers() {
        let form = adapt_value("taobao", &with("taobao", "tid", json!(123456789012_u64))).expect("a number");
        assert_eq!(form.channel_order_id, "123456789012");
        let form = adapt_value("jd", &with("jd", "orderId", json!("JD-77"))).expect("a string");
        assert_eq!(form.channel_order_id, "JD-77");
        for (id, problem) in [
            (json!(""), "must not be empty"),
            (json!("  "), "must not be empty"),
            (json!(-5), "whole number"),
            (json!(1.5), "whole number"),
            (json!(1e30), "whole number"),
        ] {
            let error = failure("pdd", &with("pdd", "order_sn", id.clone()));
            assert_eq!(error.field, "order_sn");
            assert!(error.problem.contains(problem), "{id}: {}", error.problem);
        }
    }

    #[test]
    fn order_keys_must_fit_the_order_id_limit() {
        // "shop-1:" is 7 bytes; 57 more fit exactly, 58 do not.
        let fits = "9".repeat(ORDER_ID_BYTES_MAX - 7);
        assert_eq!(adapt_value("jd", &with("jd", "orderId", json!(fits))).expect("fits").key().len(), 64);
        let error = failure("jd", &with("jd", "orderId", json!(format!("{fits}9"))));
        assert_eq!(error.field, "orderId");
        assert!(error.problem.contains("65 bytes, above the limit ORDER_ID_BYTES_MAX = 64"), "{}", error.problem);
    }

    #[test]
    fn buyer_ids_are_required_non_empty_and_bounded() {
        assert_eq!(failure("taobao", &with("taobao", "buyer_nick", json!(""))).field, "buyer_nick");
        let error = failure("jd", &with("jd", "pin", json!("p".repeat(BUYER_ID_BYTES_MAX + 1))));
        assert_eq!(error.field, "pin");
        assert!(error.problem.contains("BUYER_ID_BYTES_MAX"));
        let form = adapt_value("jd", &with("jd", "pin", json!("p".repeat(BUYER_ID_BYTES_MAX)))).expect("fits");
        assert_eq!(form.buyer_id.len(), BUYER_ID_BYTES_MAX);
    }

    #[test]
    fn pdd_buyer_falls_back_to_the_phone_digits() {
        let form = adapt_value("pdd", &without("pdd", "buyer_id")).expect("falls back");
        assert_eq!(form.buyer_id, "phone:8618600001234");
        let form = adapt_value("pdd", &with("pdd", "buyer_id", json!("u_abc"))).expect("a string id");
        assert_eq!(form.buyer_id, "u_abc");
        let mut payload = without("pdd", "buyer_id");
        payload["receiver_phone"] = json!("");
        let error = failure("pdd", &payload);
        assert_eq!(error.field, "buyer_id");
        assert!(error.problem.starts_with("missing"), "{}", error.problem);
    }

    #[test]
    fn address_fields_may_be_empty_but_are_bounded() {
        let form = adapt_value("taobao", &with("taobao", "receiver_city", json!(""))).expect("empty is for the checks");
        assert_eq!(form.ship_to.city, "");
        let long = "路".repeat(ADDRESS_FIELD_BYTES_MAX / 3 + 1);
        let error = failure("jd", &with("jd", "consigneeInfo.fullAddress", json!(long)));
        assert_eq!(error.field, "consigneeInfo.fullAddress");
        assert!(error.problem.contains("ADDRESS_FIELD_BYTES_MAX = 1024"), "{}", error.problem);
        let error = failure("pdd", &with("pdd", "town", json!("镇".repeat(400))));
        assert_eq!(error.field, "town");
    }

    #[test]
    fn an_empty_mobile_falls_back_to_the_landline() {
        let form = adapt_value("jd", &with("jd", "consigneeInfo.mobile", json!(""))).expect("adapts");
        assert_eq!(form.ship_to.phone, "010-62345678");
        let mut payload = with("taobao", "receiver_mobile", json!(" "));
        payload["receiver_phone"] = json!("0755-23456789");
        assert_eq!(adapt_value("taobao", &payload).expect("adapts").ship_to.phone, "0755-23456789");
    }

    #[test]
    fn quantities_must_be_whole_numbers_within_limits() {
        for (qty, problem) in [
            (json!(0), "must be at least 1, got 0"),
            (json!(-1), "must not be negative, got -1"),
            (json!(1.5), "must be a whole number, got the number 1.5"),
            (json!("2"), "must be a whole number, got the string \"2\""),
            (json!(u64::from(LINE_QTY_MAX) + 1), "is 1000000001, above the limit LINE_QTY_MAX = 1000000000"),
            (json!(u64::MAX), "is 18446744073709551615, above the limit LINE_QTY_MAX = 1000000000"),
        ] {
            let error = failure("taobao", &with("taobao", "orders[0].num", qty.clone()));
            assert_eq!((error.field.as_str(), error.problem.as_str()), ("orders[0].num", problem), "{qty}");
        }
        let form = adapt_value("taobao", &with("taobao", "orders[0].num", json!(LINE_QTY_MAX))).expect("at the limit");
        assert_eq!(form.lines[0].qty, LINE_QTY_MAX);
        // JD quotes its numbers: digit strings are accepted there, nothing else.
        let form = adapt_value("jd", &with("jd", "itemInfoList[0].skuNum", json!("12"))).expect("a digit string");
        assert_eq!(form.lines[0].qty, 12);
        for qty in ["", " 1", "1.0", "-1", "+1", "1e2", "１"] {
            let error = failure("jd", &with("jd", "itemInfoList[0].skuNum", json!(qty)));
            assert_eq!(error.field, "itemInfoList[0].skuNum", "{qty:?}");
        }
        for (qty, problem) in [("0", "at least 1"), ("99999999999999999999999", "too large")] {
            let error = failure("jd", &with("jd", "itemInfoList[0].skuNum", json!(qty)));
            assert!(error.problem.contains(problem), "{qty}: {}", error.problem);
        }
    }

    #[test]
    fn skus_must_be_non_empty_and_bounded() {
        for sku in [json!(""), json!("   "), json!("S".repeat(CODE_BYTES_MAX + 1))] {
            let error = failure("pdd", &with("pdd", "item_list[0].outer_sku_id", sku.clone()));
            assert_eq!(error.field, "item_list[0].outer_sku_id", "{sku}");
        }
        let form = adapt_value("pdd", &with("pdd", "item_list[0].outer_sku_id", json!("S".repeat(CODE_BYTES_MAX))))
            .expect("at the limit");
        assert_eq!(form.lines[0].sku.len(), CODE_BYTES_MAX);
    }

    #[test]
    fn line_arrays_must_hold_one_to_the_limit_of_objects() {
        let error = failure("taobao", &with("taobao", "orders", json!([])));
        assert_eq!((error.field.as_str(), error.problem.as_str()), ("orders", "must hold at least one line"));
        let error =
            failure("jd", &with("jd", "itemInfoList", json!([{"outerSkuId": "A", "skuNum": 1, "jdPrice": "1"}, 5])));
        assert_eq!(
            (error.field.as_str(), error.problem.as_str()),
            ("itemInfoList[1]", "must be an object, got the number 5")
        );
        let line = json!({"outer_sku_id": "A", "goods_count": 1, "goods_price": 100});
        let at_limit = with("pdd", "item_list", Value::Array(vec![line.clone(); ORDER_LINES_MAX]));
        assert_eq!(adapt_value("pdd", &at_limit).expect("at the limit").lines.len(), ORDER_LINES_MAX);
        let error = failure("pdd", &with("pdd", "item_list", Value::Array(vec![line; ORDER_LINES_MAX + 1])));
        assert_eq!(error.field, "item_list");
        assert!(error.problem.contains("129 lines, above the limit ORDER_LINES_MAX = 128"), "{}", error.problem);
    }

    #[test]
    fn yuan_become_fen() {
        for (text, fen) in [
            ("12.50", 1250),
            ("12.5", 1250),
            ("12", 1200),
            ("0", 0),
            ("0.01", 1),
            ("0.1", 10),
            ("007.05", 705),
            ("1299.00", 129_900),
            ("184467440737095516.15", u64::MAX),
        ] {
            assert_eq!(yuan_to_fen(text), Ok(fen), "{text}");
        }
    }

    #[test]
    fn malformed_yuan_are_refused_with_the_reason() {
        for (text, problem) in [
            ("12.505", "more than two decimals"),
            ("0.001", "more than two decimals"),
            ("-1.00", "must not be negative"),
            ("-0", "must not be negative"),
            ("", "decimal string"),
            (".5", "decimal string"),
            ("12.", "decimal string"),
            ("+12", "decimal string"),
            ("1e3", "decimal string"),
            ("1,299.00", "decimal string"),
            (" 12.50", "decimal string"),
            ("12.50 ", "decimal string"),
            ("12..5", "decimal string"),
            ("1.2.3", "decimal string"),
            ("¥12", "decimal string"),
            ("１２", "decimal string"),
            ("NaN", "decimal string"),
            ("184467440737095516.16", "too large"),
            ("99999999999999999999999", "too large"),
        ] {
            let error = yuan_to_fen(text).expect_err(text);
            assert!(error.contains(problem), "{text:?}: {error}");
        }
        // A JSON number is refused: floats cannot hold every fen amount.
        let error = failure("jd", &with("jd", "itemInfoList[1].jdPrice", json!(52.33)));
        assert_eq!(error.field, "itemInfoList[1].jdPrice");
        assert!(error.problem.contains("decimal string"), "{}", error.problem);
        let error = failure("taobao", &with("taobao", "orders[0].price", json!("12.505")));
        assert_eq!(error.field, "orders[0].price");
    }

    #[test]
    fn pdd_prices_are_whole_fen() {
        let form = adapt_value("pdd", &with("pdd", "item_list[0].goods_price", json!(0))).expect("a free gift");
        assert_eq!(form.lines[0].unit_price_minor, 0);
        for price in [json!(-1), json!(39.9), json!("3990")] {
            let error = failure("pdd", &with("pdd", "item_list[0].goods_price", price.clone()));
            assert_eq!(error.field, "item_list[0].goods_price", "{price}");
        }
    }

    #[test]
    fn taobao_statuses_map_to_payment_states() {
        for (status, payment) in [
            ("WAIT_BUYER_PAY", PaymentState::Unpaid),
            ("TRADE_NO_CREATE_PAY", PaymentState::Unpaid),
            ("TRADE_CLOSED_BY_TAOBAO", PaymentState::Unpaid),
            ("WAIT_SELLER_SEND_GOODS", PaymentState::Paid),
            ("TRADE_FINISHED", PaymentState::Paid),
            ("TRADE_CLOSED", PaymentState::Refunded),
        ] {
            let form = adapt_value("taobao", &with("taobao", "status", json!(status))).expect(status);
            assert_eq!(form.payment, payment, "{status}");
        }
        let error = failure("taobao", &with("taobao", "status", json!("SHIPPED")));
        assert_eq!(error.field, "status");
        assert!(error.problem.starts_with("unknown value \"SHIPPED\"; known values: TRADE_NO_CREATE_PAY"));
    }

    #[test]
    fn jd_states_types_and_global_buy() {
        for (state, payment) in [
            ("WAIT_PAY", PaymentState::Unpaid),
            ("WAIT_GOODS_RECEIVE_CONFIRM", PaymentState::Paid),
            ("TRADE_CANCELED", PaymentState::Refunded),
        ] {
            assert_eq!(adapt_value("jd", &with("jd", "orderState", json!(state))).expect(state).payment, payment);
        }
        assert_eq!(failure("jd", &with("jd", "orderState", json!("wait_pay"))).field, "orderState");
        for order_type in [json!(22), json!("22")] {
            assert!(adapt_value("jd", &with("jd", "orderType", order_type)).expect("a return").is_return);
        }
        assert!(!adapt_value("jd", &with("jd", "orderType", json!(75))).expect("another type").is_return);
        assert_eq!(failure("jd", &with("jd", "orderType", json!("return"))).field, "orderType");
        assert!(adapt_value("jd", &with("jd", "isGlobalBuy", json!(true))).expect("global buy").cross_border);
        assert_eq!(failure("jd", &with("jd", "isGlobalBuy", json!(1))).field, "isGlobalBuy");
    }

    #[test]
    fn pdd_codes_map_and_unknown_codes_are_named() {
        for (pay_status, payment) in [(0, PaymentState::Unpaid), (1, PaymentState::Paid), (2, PaymentState::Refunded)] {
            let form = adapt_value("pdd", &with("pdd", "pay_status", json!(pay_status))).expect("a known code");
            assert_eq!(form.payment, payment);
        }
        for return_status in [1, 2] {
            assert!(
                adapt_value("pdd", &with("pdd", "return_status", json!(return_status))).expect("a return").is_return
            );
        }
        assert!(adapt_value("pdd", &with("pdd", "is_cross_border", json!(1))).expect("cross-border").cross_border);
        for (field, value) in [
            ("pay_status", json!(3)),
            ("return_status", json!(9)),
            ("is_cross_border", json!(2)),
            ("is_cross_border", json!(true)),
        ] {
            let error = failure("pdd", &with("pdd", field, value.clone()));
            assert_eq!(error.field, field, "{value}");
        }
    }

    #[test]
    fn taobao_cross_border_flag() {
        assert!(adapt_value("taobao", &with("taobao", "is_cross_border", json!(true))).expect("adapts").cross_border);
        assert_eq!(failure("taobao", &with("taobao", "is_cross_border", json!("true"))).field, "is_cross_border");
    }

    #[test]
    fn beijing_times_become_epoch_ms() {
        for (text, ms) in [
            ("1970-01-01 08:00:00", 0),
            ("1970-01-01 08:00:01", 1000),
            ("2000-02-29 23:59:59", 951_839_999_000),
            ("2024-03-15 14:30:05", 1_710_484_205_000),
            ("2100-03-01 00:00:00", 4_107_513_600_000),
            ("9999-12-31 23:59:59", 253_402_271_999_000),
        ] {
            assert_eq!(beijing_time_ms(text), Ok(ms), "{text}");
        }
        for (text, problem) in [
            ("1970-01-01 07:59:59", "before the Unix epoch"),
            ("1969-12-31 23:00:00", "before 1970"),
            ("2023-02-29 00:00:00", "not a calendar date"),
            ("1900-02-29 00:00:00", "not a calendar date"),
            ("2024-13-01 00:00:00", "not a calendar date"),
            ("2024-00-10 00:00:00", "not a calendar date"),
            ("2024-04-31 00:00:00", "not a calendar date"),
            ("2024-04-00 00:00:00", "not a calendar date"),
            ("2024-04-30 24:00:00", "not a time of day"),
            ("2024-04-30 23:60:00", "not a time of day"),
            ("2024-04-30 23:59:60", "not a time of day"),
            ("2024-04-30T23:59:59", "like"),
            ("2024/04/30 23:59:59", "like"),
            ("2024-4-30 23:59:59", "like"),
            ("2024-04-30", "like"),
            ("2024-04-30 23:59:59+08", "like"),
            ("２024-04-30 23:59:5", "like"),
            ("+024-04-30 23:59:59", "like"),
        ] {
            let error = beijing_time_ms(text).expect_err(text);
            assert!(error.contains(problem), "{text:?}: {error}");
        }
        // Day counting agrees with a year-by-year count over four centuries.
        let mut days = 0;
        for year in 1970..2370 {
            assert_eq!(days_since_epoch(year, 1, 1), days, "{year}");
            days += if is_leap_year(year) { 366 } else { 365 };
        }
        let error = failure("pdd", &with("pdd", "created_time", json!("yesterday")));
        assert_eq!(error.field, "created_time");
    }

    #[test]
    fn long_values_are_clipped_in_messages() {
        let error = failure("taobao", &with("taobao", "status", json!("S".repeat(10_000))));
        assert!(error.problem.len() < 400, "{}", error.problem.len());
        assert!(error.problem.contains('…'));
        assert_eq!(clipped("短"), "短");
        assert_eq!(clipped(&"長".repeat(41)), format!("{}…", "長".repeat(40)));
    }

    /// Field names of all three styles, so that random objects often hit the adapters' paths.
    const KEYS: [&str; 40] = [
        "tid",
        "buyer_nick",
        "status",
        "created",
        "is_cross_border",
        "receiver_name",
        "receiver_mobile",
        "receiver_phone",
        "receiver_state",
        "receiver_city",
        "receiver_district",
        "receiver_address",
        "orders",
        "outer_sku_id",
        "num",
        "price",
        "orderId",
        "pin",
        "orderState",
        "orderType",
        "isGlobalBuy",
        "orderStartTime",
        "consigneeInfo",
        "fullname",
        "mobile",
        "province",
        "city",
        "county",
        "fullAddress",
        "itemInfoList",
        "outerSkuId",
        "skuNum",
        "jdPrice",
        "order_sn",
        "buyer_id",
        "pay_status",
        "return_status",
        "item_list",
        "goods_count",
        "goods_price",
    ];

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            (0u32..5).prop_map(|n| json!(n)),
            any::<f64>().prop_filter("JSON has no NaN or infinity", |n| n.is_finite()).prop_map(|n| json!(n)),
            ".{0,24}".prop_map(Value::String),
            "[0-9]{0,22}(\\.[0-9]{0,3})?".prop_map(Value::String),
            "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}".prop_map(Value::String),
            prop::sample::select(vec!["WAIT_BUYER_PAY", "TRADE_CLOSED", "WAIT_PAY", "TRADE_CANCELED", "上海", ""])
                .prop_map(|text| json!(text)),
        ]
    }

    fn json_value() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(KEYS.to_vec()), inner), 0..12).prop_map(|pairs| {
                    Value::Object(pairs.into_iter().map(|(key, value)| (key.to_string(), value)).collect())
                }),
            ]
        })
    }

    /// Every field path of an example, so that mutations land on real fields.
    fn paths(value: &Value, prefix: &str, out: &mut Vec<String>) {
        match value {
            Value::Object(fields) => {
                for (key, child) in fields {
                    let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                    out.push(path.clone());
                    paths(child, &path, out);
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    paths(child, &format!("{prefix}[{index}]"), out);
                }
            }
            _ => {}
        }
    }

    /// Characters no identifier and no free text may hold, and where they sit in a value.
    const HIDDEN: [&str; 9] =
        ["\u{200B}", "\u{FEFF}", "\u{202E}", "\u{2066}", "\u{200F}", "\0", "\u{1B}[2J", "\u{9B}", "\u{2060}"];

    /// Every string field of every style's example, with a hidden character at its start, in its
    /// middle or at its end: the payload is refused naming that field, or the field is one the
    /// adapter ignores and the character reaches no part of the form.
    #[test]
    fn hidden_characters_in_any_string_field_are_refused_naming_it() {
        for style in STYLES {
            let example = example_value(style);
            let mut all_paths = Vec::new();
            paths(&example, "", &mut all_paths);
            for path in all_paths {
                let mut probe = example.clone();
                let (parent, key) = at(&mut probe, &path);
                let Some(Value::String(original)) = parent.get(&key).cloned() else { continue };
                for hidden in HIDDEN {
                    let mid = original.char_indices().nth(1).map_or(original.len(), |(at, _)| at);
                    for value in [
                        format!("{hidden}{original}"),
                        format!("{}{hidden}{}", &original[..mid], &original[mid..]),
                        format!("{original}{hidden}"),
                    ] {
                        let mut payload = example.clone();
                        let (parent, key) = at(&mut payload, &path);
                        parent.insert(key, json!(value));
                        match adapt_value(style, &payload) {
                            Err(error) => assert_eq!(error.field, path, "{style} {value:?}: {}", error.problem),
                            Ok(form) => {
                                let text = format!("{form:?}");
                                let escaped = format!("{hidden:?}");
                                let escaped = escaped.trim_matches('"');
                                assert!(
                                    !text.contains(hidden) && !text.contains(escaped),
                                    "{style} {path} took {value:?}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn padded_or_blank_ids_and_spaced_skus_are_refused() {
        for (style, path, value, problem) in [
            ("taobao", "tid", " 3658120094471538172", "whitespace at its start or end"),
            ("jd", "pin", "jd_5f2c9a7b1e3d ", "whitespace at its start or end"),
            ("pdd", "buyer_id", "\u{3000}", "must not be empty"),
            ("pdd", "item_list[0].outer_sku_id", "TISSUE 24", "contains whitespace"),
            ("taobao", "orders[1].outer_sku_id", "CUSHION\u{A0}45", "contains whitespace"),
            ("jd", "consigneeInfo.fullname", "王强\n", "control characters"),
            ("taobao", "receiver_address", "粤海街道\u{2028}", "line or paragraph separator"),
        ] {
            let error = failure(style, &with(style, path, json!(value)));
            assert_eq!(error.field, path, "{value:?}");
            assert!(error.problem.contains(problem), "{value:?}: {}", error.problem);
        }
        // Free text keeps what real names and addresses hold.
        let form =
            adapt_value("jd", &with("jd", "consigneeInfo.fullname", json!("王强 👨\u{200D}👩\u{200D}👧"))).unwrap();
        assert_eq!(form.ship_to.recipient, "王强 👨\u{200D}👩\u{200D}👧");
        let form = adapt_value("taobao", &with("taobao", "receiver_address", json!("科技园\u{3000}南区"))).unwrap();
        assert_eq!(form.ship_to.detail, "科技园\u{3000}南区");
    }

    #[test]
    fn deep_nesting_is_refused_naming_the_limit_without_recursion() {
        // 100,000 levels fit within PAYLOAD_BYTES_MAX; the parse stops at its recursion guard.
        let depth = 100_000;
        let mut payload = "[".repeat(depth);
        payload.push_str(&"]".repeat(depth));
        assert!(payload.len() <= PAYLOAD_BYTES_MAX);
        for style in STYLES {
            let error = adapt(style, "shop", payload.as_bytes()).expect_err("too deep");
            assert_eq!(error.field, "$");
            assert!(error.problem.contains("PAYLOAD_DEPTH_MAX = 32"), "{}", error.problem);
        }
        // Just past the named limit, far below the parser's guard.
        let just_past = format!("{}{}", "[".repeat(PAYLOAD_DEPTH_MAX + 1), "]".repeat(PAYLOAD_DEPTH_MAX + 1));
        let error = adapt("taobao", "shop", just_past.as_bytes()).expect_err("too deep");
        assert!(error.problem.contains("nests 33 arrays or objects deep"), "{}", error.problem);
        // Inside an ignored field of a real payload, objects too.
        let mut nested = json!(1);
        for _ in 0..PAYLOAD_DEPTH_MAX {
            nested = json!({ "x": nested });
        }
        let error = failure("taobao", &with("taobao", "extra", nested.clone()));
        assert!(error.problem.contains("PAYLOAD_DEPTH_MAX"), "{}", error.problem);
        // Brackets inside strings are text, and depth up to the limit is parsed.
        adapt_value("taobao", &with("taobao", "receiver_address", json!("[".repeat(1000)))).expect("text");
        let mut fits = json!(1);
        for _ in 0..PAYLOAD_DEPTH_MAX - 1 {
            fits = json!([fits]);
        }
        adapt_value("taobao", &with("taobao", "extra", fits)).expect("at the limit");
        // serde_json's own recursion guard holds without overflowing.
        let error = serde_json::from_slice::<Value>(payload.as_bytes()).unwrap_err();
        assert!(error.to_string().contains("recursion limit"), "{error}");
    }

    #[test]
    fn nesting_counts_arrays_and_objects_not_brackets_in_strings() {
        assert_eq!(nesting(&json!({"a": "\"[[[[", "b": []})), 2);
        assert_eq!(nesting(&json!(7)), 0);
        let mut deep = json!(1);
        for _ in 0..=PAYLOAD_DEPTH_MAX {
            deep = json!([deep]);
        }
        assert_eq!(nesting(&deep), PAYLOAD_DEPTH_MAX + 1);
    }

    proptest! {
        // Failures print the failing input, and proptest saves its seed under proptest-regressions/.
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn adapt_never_panics_on_arbitrary_bytes(
            style in prop::sample::select(vec!["taobao", "jd", "pdd", "other"]),
            bytes in prop::collection::vec(any::<u8>(), 0..256),
        ) {
            let _ = adapt(style, "shop", &bytes);
        }

        #[test]
        fn adapt_never_panics_on_arbitrary_json(style in prop::sample::select(STYLES.to_vec()), value in json_value()) {
            let bytes = serde_json::to_vec(&value).expect("a Value serialises");
            if let Ok(form) = adapt(style, "shop", &bytes) {
                prop_assert!(!form.lines.is_empty());
            }
        }

        #[test]
        fn a_mutated_example_adapts_or_names_a_field(
            style in prop::sample::select(STYLES.to_vec()),
            pick in any::<prop::sample::Index>(),
            replacement in json_value(),
            remove in any::<bool>(),
        ) {
            let mut payload = example_value(style);
            let mut all_paths = Vec::new();
            paths(&payload, "", &mut all_paths);
            let path = pick.get(&all_paths).clone();
            let (parent, key) = at(&mut payload, &path);
            if remove {
                parent.remove(&key);
            } else {
                parent.insert(key, replacement);
            }
            match adapt_value(style, &payload) {
                Ok(form) => {
                    prop_assert!(!form.lines.is_empty() && form.lines.len() <= ORDER_LINES_MAX);
                    prop_assert!(form.lines.iter().all(|line| line.qty >= 1 && line.qty <= LINE_QTY_MAX));
                    prop_assert!(form.key().len() <= ORDER_ID_BYTES_MAX);
                }
                // The error names the mutated field, a field inside it, or the field it stood in
                // for (the PDD buyer falls back to the phone).
                Err(error) => prop_assert!(
                    error.field.starts_with(&path) || (path == "receiver_phone" && error.field == "buyer_id"),
                    "mutated {} but the error names {}: {}", path, error.field, error.problem
                ),
            }
        }
    }
}
