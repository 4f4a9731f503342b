//! A scripted fake SQL Server speaking just enough [MS-TDS] for driver-level tests.
//!
//! Written from the open MS-TDS specification: PRELOGIN (ENCRYPT_NOT_SUP), LOGIN7 (password
//! de-obfuscated and checked) → ENVCHANGE + LOGINACK (TDS 7.4, big-endian) + DONE, SQLBatch
//! and RPC `sp_executesql` (parameters decoded, so tests can assert values were *bound*) →
//! COLMETADATA/ROW/DONE, ERROR tokens, and faults (stall, dropped connection).
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use chrono::{NaiveDate, NaiveDateTime, Timelike};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A decoded RPC parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum PV {
    Null,
    Int(i64),
    Bit(bool),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `true` for RPC `sp_executesql`, `false` for a plain SQL batch.
    pub rpc: bool,
    pub sql: String,
    /// RPC parameters after `@stmt`/`@params`: (`@P1`, value) …
    pub params: Vec<(String, PV)>,
    /// The `@params` declaration string (`@P1 nvarchar(4000),…`).
    pub declared: String,
}

#[derive(Debug, Clone, Copy)]
pub enum Ty {
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    Bit,
    Real,
    Float,
    Decimal(u8, u8),
    Money,
    NVarChar,
    VarChar,
    Date,
    DateTime,
    DateTime2,
    VarBinaryMax,
}

#[derive(Debug, Clone)]
pub enum Cell {
    Null,
    Int(i64),
    Bit(bool),
    Float(f64),
    /// Unscaled value of a DECIMAL (scale from the column).
    Decimal(i128),
    /// Money in units of 1/10,000.
    Money(i64),
    Text(String),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Bytes(Vec<u8>),
}

#[derive(Debug, Clone)]
pub enum Reply {
    Rows(Vec<(&'static str, Ty)>, Vec<Vec<Cell>>),
    Error {
        number: i32,
        class: u8,
        message: String,
    },
    /// Read and ignore everything until the client goes away.
    Stall,
    /// Close the TCP connection without answering.
    Drop,
}

struct Rule {
    contains: String,
    params: Option<Vec<PV>>,
    reply: Reply,
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    requests: Vec<Request>,
    logins: usize,
    connections: usize,
}

#[derive(Clone)]
pub struct Peer {
    pub port: u16,
    user: String,
    password: String,
    state: Arc<Mutex<State>>,
}

impl Peer {
    /// Listens on 127.0.0.1:0 and accepts `user`/`password`.
    pub async fn start(user: &str, password: &str) -> Peer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let peer = Peer {
            port: listener.local_addr().unwrap().port(),
            user: user.into(),
            password: password.into(),
            state: Arc::default(),
        };
        let p = peer.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                p.state.lock().unwrap().connections += 1;
                let p = p.clone();
                tokio::spawn(async move {
                    let _ = p.serve(sock).await;
                });
            }
        });
        peer
    }

    /// Answers any request whose SQL text contains `contains`.
    pub fn on(&self, contains: &str, reply: Reply) {
        self.push(contains, None, reply);
    }

    /// Answers only when the RPC parameter values equal `params` (in `@P1…` order).
    pub fn on_params(&self, contains: &str, params: Vec<PV>, reply: Reply) {
        self.push(contains, Some(params), reply);
    }

    fn push(&self, contains: &str, params: Option<Vec<PV>>, reply: Reply) {
        self.state.lock().unwrap().rules.push(Rule {
            contains: contains.into(),
            params,
            reply,
        });
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }
    pub fn logins(&self) -> usize {
        self.state.lock().unwrap().logins
    }
    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }

    async fn serve(&self, mut sock: TcpStream) -> std::io::Result<()> {
        loop {
            let Some((ty, msg)) = read_message(&mut sock).await? else {
                return Ok(());
            };
            match ty {
                0x12 => send(&mut sock, &prelogin_response()).await?,
                0x10 => {
                    let (user, password, db) = parse_login7(&msg).ok_or_else(bad)?;
                    if user == self.user && password == self.password {
                        self.state.lock().unwrap().logins += 1;
                        send(&mut sock, &login_ok(&db)).await?;
                    } else {
                        let mut out = Vec::new();
                        error_token(
                            &mut out,
                            18456,
                            14,
                            &format!("Login failed for user '{user}'."),
                        );
                        done(&mut out, 0xFD, 0x02, 0);
                        send(&mut sock, &out).await?;
                        return Ok(());
                    }
                }
                0x01 | 0x03 => {
                    let req = if ty == 0x01 {
                        parse_batch(&msg).ok_or_else(bad)?
                    } else {
                        parse_rpc(&msg).ok_or_else(bad)?
                    };
                    let reply = self.answer(&req);
                    self.state.lock().unwrap().requests.push(req);
                    match reply {
                        Reply::Drop => return Ok(()),
                        Reply::Stall => {
                            let mut buf = [0u8; 1024];
                            while sock.read(&mut buf).await? > 0 {}
                            return Ok(());
                        }
                        other => send(&mut sock, &encode_reply(&other)).await?,
                    }
                }
                0x06 => {
                    // Attention: acknowledge the cancel.
                    let mut out = Vec::new();
                    done(&mut out, 0xFD, 0x20, 0);
                    send(&mut sock, &out).await?;
                }
                _ => return Ok(()),
            }
        }
    }

    fn answer(&self, req: &Request) -> Reply {
        if !req.rpc && req.sql.trim() == "SELECT 1" {
            return Reply::Rows(vec![("", Ty::Int)], vec![vec![Cell::Int(1)]]);
        }
        let state = self.state.lock().unwrap();
        let values: Vec<PV> = req.params.iter().map(|(_, v)| v.clone()).collect();
        for rule in &state.rules {
            if req.sql.contains(&rule.contains) && rule.params.as_ref().is_none_or(|p| *p == values)
            {
                return rule.reply.clone();
            }
        }
        Reply::Error {
            number: 50000,
            class: 16,
            message: "fake peer: no scripted answer".into(),
        }
    }
}

fn bad() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, "malformed TDS message")
}

// ---------------------------------------------------------------- framing

async fn read_message(sock: &mut TcpStream) -> std::io::Result<Option<(u8, Vec<u8>)>> {
    let mut msg = Vec::new();
    loop {
        let mut h = [0u8; 8];
        match sock.read_exact(&mut h).await {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let len = u16::from_be_bytes([h[2], h[3]]) as usize;
        let mut body = vec![0u8; len.saturating_sub(8)];
        sock.read_exact(&mut body).await?;
        msg.extend_from_slice(&body);
        if h[1] & 0x01 != 0 {
            return Ok(Some((h[0], msg)));
        }
    }
}

async fn send(sock: &mut TcpStream, payload: &[u8]) -> std::io::Result<()> {
    const MAX: usize = 4096 - 8;
    let chunks: Vec<&[u8]> = if payload.is_empty() {
        vec![&[]]
    } else {
        payload.chunks(MAX).collect()
    };
    let mut out = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let last = i + 1 == chunks.len();
        out.push(0x04);
        out.push(if last { 0x01 } else { 0x00 });
        out.extend_from_slice(&((chunk.len() + 8) as u16).to_be_bytes());
        out.extend_from_slice(&[0, 0, (i + 1) as u8, 0]);
        out.extend_from_slice(chunk);
    }
    sock.write_all(&out).await
}

// ---------------------------------------------------------------- login

fn prelogin_response() -> Vec<u8> {
    // (token, data) pairs; offsets follow the option table and its terminator.
    let opts: [(u8, Vec<u8>); 5] = [
        (0x00, vec![16, 0, 0x10, 0x00, 0, 0]), // VERSION 16.0.4096, sub-build 0
        (0x01, vec![0x02]),                    // ENCRYPTION = ENCRYPT_NOT_SUP
        (0x02, vec![0x00]),                    // INSTOPT: valid
        (0x03, vec![]),                        // THREADID
        (0x04, vec![0x00]),                    // MARS off
    ];
    let mut table = Vec::new();
    let mut data = Vec::new();
    let mut offset = opts.len() * 5 + 1;
    for (tok, d) in &opts {
        table.push(*tok);
        table.extend_from_slice(&(offset as u16).to_be_bytes());
        table.extend_from_slice(&(d.len() as u16).to_be_bytes());
        offset += d.len();
        data.extend_from_slice(d);
    }
    table.push(0xFF);
    table.extend(data);
    table
}

fn utf16(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// (user, de-obfuscated password, database) from a LOGIN7 message.
fn parse_login7(m: &[u8]) -> Option<(String, String, String)> {
    let field = |at: usize| -> Option<&[u8]> {
        let off = u16::from_le_bytes([*m.get(at)?, *m.get(at + 1)?]) as usize;
        let len = u16::from_le_bytes([*m.get(at + 2)?, *m.get(at + 3)?]) as usize * 2;
        m.get(off..off + len)
    };
    let user = utf16(field(40)?);
    let pw: Vec<u8> = field(44)?
        .iter()
        .map(|b| {
            let x = b ^ 0xA5;
            x.rotate_left(4)
        })
        .collect();
    let db = utf16(field(68)?);
    Some((user, utf16(&pw), db))
}

fn b_varchar(out: &mut Vec<u8>, s: &str) {
    let units: Vec<u16> = s.encode_utf16().collect();
    out.push(units.len() as u8);
    for u in units {
        out.extend_from_slice(&u.to_le_bytes());
    }
}

fn us_varchar(out: &mut Vec<u8>, s: &str) {
    let units: Vec<u16> = s.encode_utf16().collect();
    out.extend_from_slice(&(units.len() as u16).to_le_bytes());
    for u in units {
        out.extend_from_slice(&u.to_le_bytes());
    }
}

fn with_len(out: &mut Vec<u8>, token: u8, body: Vec<u8>) {
    out.push(token);
    out.extend_from_slice(&(body.len() as u16).to_le_bytes());
    out.extend(body);
}

fn env_change(out: &mut Vec<u8>, ty: u8, new: &str, old: &str) {
    let mut body = vec![ty];
    b_varchar(&mut body, new);
    b_varchar(&mut body, old);
    with_len(out, 0xE3, body);
}

fn done(out: &mut Vec<u8>, token: u8, status: u16, rows: u64) {
    out.push(token);
    out.extend_from_slice(&status.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&rows.to_le_bytes());
}

fn error_token(out: &mut Vec<u8>, number: i32, class: u8, message: &str) {
    let mut body = Vec::new();
    body.extend_from_slice(&number.to_le_bytes());
    body.push(1); // state
    body.push(class);
    us_varchar(&mut body, message);
    b_varchar(&mut body, "fakepeer");
    b_varchar(&mut body, "");
    body.extend_from_slice(&1i32.to_le_bytes());
    with_len(out, 0xAA, body);
}

fn login_ok(db: &str) -> Vec<u8> {
    let mut out = Vec::new();
    env_change(
        &mut out,
        1,
        if db.is_empty() { "master" } else { db },
        "master",
    );
    env_change(&mut out, 4, "4096", "4096");
    let mut ack = vec![0x01];
    ack.extend_from_slice(&0x7400_0004u32.to_be_bytes()); // TDS 7.4, big-endian
    b_varchar(&mut ack, "Microsoft SQL Server");
    ack.extend_from_slice(&[16, 0, 0x10, 0x00]);
    with_len(&mut out, 0xAD, ack);
    done(&mut out, 0xFD, 0, 0);
    out
}

// ---------------------------------------------------------------- requests

struct Cur<'a> {
    b: &'a [u8],
    p: usize,
}

impl<'a> Cur<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.p..self.p + n)?;
        self.p += n;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u16(&mut self) -> Option<u16> {
        let s = self.take(2)?;
        Some(u16::from_le_bytes([s[0], s[1]]))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn skip_all_headers(&mut self) -> Option<()> {
        let total = self.u32()? as usize;
        self.take(total.checked_sub(4)?)?;
        Some(())
    }
    /// PLP body after its total-length u64 (NULL → None).
    fn plp(&mut self) -> Option<Option<Vec<u8>>> {
        if self.u64()? == u64::MAX {
            return Some(None);
        }
        let mut v = Vec::new();
        loop {
            let n = self.u32()? as usize;
            if n == 0 {
                return Some(Some(v));
            }
            v.extend_from_slice(self.take(n)?);
        }
    }
}

fn parse_batch(m: &[u8]) -> Option<Request> {
    let mut c = Cur { b: m, p: 0 };
    c.skip_all_headers()?;
    Some(Request {
        rpc: false,
        sql: utf16(&m[c.p..]),
        params: Vec::new(),
        declared: String::new(),
    })
}

fn days_to_date(days: u32, base: NaiveDate) -> Option<NaiveDate> {
    base.checked_add_days(chrono::Days::new(u64::from(days)))
}

fn le_uint(b: &[u8]) -> u64 {
    b.iter().rev().fold(0, |a, x| (a << 8) | u64::from(*x))
}

fn param_value(c: &mut Cur) -> Option<PV> {
    let ty = c.u8()?;
    let d0001 = NaiveDate::from_ymd_opt(1, 1, 1)?;
    Some(match ty {
        0x1F => PV::Null,
        0x26 | 0x68 | 0x6D => {
            let _max = c.u8()?;
            let len = c.u8()? as usize;
            let b = c.take(len)?;
            match (ty, len) {
                (_, 0) => PV::Null,
                (0x68, _) => PV::Bit(b[0] != 0),
                (0x6D, 4) => PV::Float(f64::from(f32::from_le_bytes(b.try_into().ok()?))),
                (0x6D, _) => PV::Float(f64::from_le_bytes(b.try_into().ok()?)),
                (_, 1) => PV::Int(i64::from(b[0])),
                (_, 2) => PV::Int(i64::from(i16::from_le_bytes(b.try_into().ok()?))),
                (_, 4) => PV::Int(i64::from(i32::from_le_bytes(b.try_into().ok()?))),
                _ => PV::Int(i64::from_le_bytes(b.try_into().ok()?)),
            }
        }
        0xE7 | 0xA5 => {
            let max = c.u16()?;
            if ty == 0xE7 {
                c.take(5)?; // collation
            }
            let raw = if max == 0xFFFF {
                c.plp()?
            } else {
                let n = c.u16()?;
                if n == 0xFFFF {
                    None
                } else {
                    Some(c.take(n as usize)?.to_vec())
                }
            };
            match raw {
                None => PV::Null,
                Some(b) if ty == 0xE7 => PV::Text(utf16(&b)),
                Some(b) => PV::Bytes(b),
            }
        }
        0x28 => match c.u8()? {
            0 => PV::Null,
            _ => PV::Date(days_to_date(le_uint(c.take(3)?) as u32, d0001)?),
        },
        0x2A => {
            let scale = c.u8()?;
            let len = c.u8()? as usize;
            if len == 0 {
                return Some(PV::Null);
            }
            let t = le_uint(c.take(len - 3)?);
            let date = days_to_date(le_uint(c.take(3)?) as u32, d0001)?;
            let nanos = t * 10u64.pow(9 - u32::from(scale));
            let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(
                (nanos / 1_000_000_000) as u32,
                (nanos % 1_000_000_000) as u32,
            )?;
            PV::DateTime(date.and_time(time))
        }
        _ => return None,
    })
}

fn parse_rpc(m: &[u8]) -> Option<Request> {
    let mut c = Cur { b: m, p: 0 };
    c.skip_all_headers()?;
    let name_len = c.u16()?;
    if name_len == 0xFFFF {
        let id = c.u16()?;
        assert_eq!(id, 10, "only sp_executesql is scripted");
    } else {
        c.take(name_len as usize * 2)?;
    }
    c.u16()?; // option flags
    let mut all = Vec::new();
    while c.p < m.len() {
        let n = c.u8()? as usize;
        let name = utf16(c.take(n * 2)?);
        c.u8()?; // status
        all.push((name, param_value(&mut c)?));
    }
    let mut it = all.into_iter();
    let sql = match it.next()? {
        (_, PV::Text(s)) => s,
        _ => return None,
    };
    let declared = match it.next()? {
        (_, PV::Text(s)) => s,
        _ => String::new(),
    };
    Some(Request {
        rpc: true,
        sql,
        params: it.collect(),
        declared,
    })
}

// ---------------------------------------------------------------- results

const COLLATION: [u8; 5] = [0x09, 0x04, 0xD0, 0x00, 0x34]; // Latin1_General_CI_AS

fn type_info(out: &mut Vec<u8>, ty: Ty) {
    match ty {
        Ty::TinyInt => out.extend_from_slice(&[0x26, 1]),
        Ty::SmallInt => out.extend_from_slice(&[0x26, 2]),
        Ty::Int => out.extend_from_slice(&[0x26, 4]),
        Ty::BigInt => out.extend_from_slice(&[0x26, 8]),
        Ty::Bit => out.extend_from_slice(&[0x68, 1]),
        Ty::Real => out.extend_from_slice(&[0x6D, 4]),
        Ty::Float => out.extend_from_slice(&[0x6D, 8]),
        Ty::Decimal(p, s) => out.extend_from_slice(&[0x6A, 17, p, s]),
        Ty::Money => out.extend_from_slice(&[0x6E, 8]),
        Ty::NVarChar | Ty::VarChar => {
            out.push(if matches!(ty, Ty::NVarChar) {
                0xE7
            } else {
                0xA7
            });
            out.extend_from_slice(&8000u16.to_le_bytes());
            out.extend_from_slice(&COLLATION);
        }
        Ty::Date => out.push(0x28),
        Ty::DateTime => out.extend_from_slice(&[0x6F, 8]),
        Ty::DateTime2 => out.extend_from_slice(&[0x2A, 7]),
        Ty::VarBinaryMax => {
            out.push(0xA5);
            out.extend_from_slice(&0xFFFFu16.to_le_bytes());
        }
    }
}

fn days_since(d: NaiveDate, base: NaiveDate) -> i64 {
    (d - base).num_days()
}

fn cell(out: &mut Vec<u8>, ty: Ty, v: &Cell) {
    let d0001 = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
    let d1900 = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
    match (ty, v) {
        (Ty::VarBinaryMax, Cell::Null) => out.extend_from_slice(&u64::MAX.to_le_bytes()),
        (Ty::NVarChar | Ty::VarChar, Cell::Null) => out.extend_from_slice(&0xFFFFu16.to_le_bytes()),
        (_, Cell::Null) => out.push(0),
        (Ty::TinyInt, Cell::Int(i)) => out.extend_from_slice(&[1, *i as u8]),
        (Ty::SmallInt, Cell::Int(i)) => {
            out.push(2);
            out.extend_from_slice(&(*i as i16).to_le_bytes());
        }
        (Ty::Int, Cell::Int(i)) => {
            out.push(4);
            out.extend_from_slice(&(*i as i32).to_le_bytes());
        }
        (Ty::BigInt, Cell::Int(i)) => {
            out.push(8);
            out.extend_from_slice(&i.to_le_bytes());
        }
        (Ty::Bit, Cell::Bit(b)) => out.extend_from_slice(&[1, u8::from(*b)]),
        (Ty::Real, Cell::Float(f)) => {
            out.push(4);
            out.extend_from_slice(&(*f as f32).to_le_bytes());
        }
        (Ty::Float, Cell::Float(f)) => {
            out.push(8);
            out.extend_from_slice(&f.to_le_bytes());
        }
        (Ty::Decimal(..), Cell::Decimal(v)) => {
            out.push(17);
            out.push(u8::from(*v >= 0));
            out.extend_from_slice(&v.unsigned_abs().to_le_bytes());
        }
        (Ty::Money, Cell::Money(m)) => {
            out.push(8);
            out.extend_from_slice(&((*m >> 32) as i32).to_le_bytes());
            out.extend_from_slice(&(*m as u32).to_le_bytes());
        }
        (Ty::NVarChar, Cell::Text(s)) => {
            let units: Vec<u16> = s.encode_utf16().collect();
            out.extend_from_slice(&((units.len() * 2) as u16).to_le_bytes());
            for u in units {
                out.extend_from_slice(&u.to_le_bytes());
            }
        }
        (Ty::VarChar, Cell::Text(s)) => {
            // Latin-1 subset of code page 1252.
            let bytes: Vec<u8> = s.chars().map(|c| c as u32 as u8).collect();
            out.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
            out.extend(bytes);
        }
        (Ty::Date, Cell::Date(d)) => {
            out.push(3);
            out.extend_from_slice(&(days_since(*d, d0001) as u32).to_le_bytes()[..3]);
        }
        (Ty::DateTime, Cell::DateTime(dt)) => {
            out.push(8);
            out.extend_from_slice(&(days_since(dt.date(), d1900) as i32).to_le_bytes());
            let t = dt.time();
            let ticks = u64::from(t.num_seconds_from_midnight()) * 300
                + u64::from(t.nanosecond()) * 300 / 1_000_000_000;
            out.extend_from_slice(&(ticks as u32).to_le_bytes());
        }
        (Ty::DateTime2, Cell::DateTime(dt)) => {
            out.push(8);
            let t = dt.time();
            let incr = u64::from(t.num_seconds_from_midnight()) * 10_000_000
                + u64::from(t.nanosecond()) / 100;
            out.extend_from_slice(&incr.to_le_bytes()[..5]);
            out.extend_from_slice(&(days_since(dt.date(), d0001) as u32).to_le_bytes()[..3]);
        }
        (Ty::VarBinaryMax, Cell::Bytes(b)) => {
            out.extend_from_slice(&(b.len() as u64).to_le_bytes());
            for chunk in b.chunks(1000) {
                out.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
                out.extend_from_slice(chunk);
            }
            out.extend_from_slice(&0u32.to_le_bytes());
        }
        (ty, v) => panic!("fake peer: cell {v:?} does not fit column type {ty:?}"),
    }
}

fn encode_reply(reply: &Reply) -> Vec<u8> {
    let mut out = Vec::new();
    match reply {
        Reply::Rows(cols, rows) => {
            out.push(0x81);
            out.extend_from_slice(&(cols.len() as u16).to_le_bytes());
            for (name, ty) in cols {
                out.extend_from_slice(&0u32.to_le_bytes()); // user type
                out.extend_from_slice(&0x0001u16.to_le_bytes()); // nullable
                type_info(&mut out, *ty);
                b_varchar(&mut out, name);
            }
            for row in rows {
                out.push(0xD1);
                for ((_, ty), v) in cols.iter().zip(row) {
                    cell(&mut out, *ty, v);
                }
            }
            done(&mut out, 0xFF, 0x11, rows.len() as u64);
            out.push(0x79);
            out.extend_from_slice(&0i32.to_le_bytes());
            done(&mut out, 0xFE, 0x00, 0);
        }
        Reply::Error {
            number,
            class,
            message,
        } => {
            error_token(&mut out, *number, *class, message);
            done(&mut out, 0xFE, 0x02, 0);
        }
        Reply::Stall | Reply::Drop => {}
    }
    out
}
