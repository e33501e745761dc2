//! The small pull-style XML reader of `aws/common/xml_parser.h`, with
//! upstream's rules: the document is walked in place, a node's callback either
//! reads its body (`aws_xml_node_as_body`) or walks its children
//! (`aws_xml_node_traverse`), and a node it leaves alone is skipped. A start
//! tag is split on spaces: the name, then up to ten `name="value"` attributes.
//! Entities are decoded by `aws_byte_buf_append_unescaped_xml`.
use std::ffi::c_void;

use libc::c_int;

use super::abi::*;
use super::byte_buf::{aws_byte_buf_append, aws_byte_buf_reserve_relative};
use super::error::raise;
use super::error_codes::*;

const DEFAULT_MAX_DEPTH: usize = 20;
const MAX_NAME_LEN: usize = 256;
const MAX_ATTRIBUTES: usize = 10;
const MAX_SPLITS: usize = MAX_ATTRIBUTES + 1;

/// The walk over one document: `doc` is what is left to read.
struct Parser<'a> {
    doc: &'a [u8],
    depth: usize,
    max_depth: usize,
    failed: bool,
}

/// What C sees as `struct aws_xml_node`.
struct Node<'a> {
    parser: *mut Parser<'a>,
    name: &'a [u8],
    attributes: Vec<aws_xml_attribute>,
    body: &'a [u8],
    processed: bool,
    is_empty: bool,
}

fn cursor(bytes: &[u8]) -> aws_byte_cursor {
    aws_byte_cursor {
        len: bytes.len(),
        ptr: bytes.as_ptr() as *mut u8,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Splits a start tag's text; None when it has more pieces than upstream's scratch space.
fn load_decl<'a>(decl: &'a [u8], parser: *mut Parser<'a>, body: &'a [u8]) -> Option<Node<'a>> {
    let pieces: Vec<&[u8]> = decl.split(|&b| b == b' ').collect();
    if pieces.len() > MAX_SPLITS {
        return None;
    }
    let mut attributes = Vec::new();
    for pair in &pieces[1..] {
        let parts: Vec<&[u8]> = pair.split(|&b| b == b'=').collect();
        if parts.len() > 2 || attributes.len() == MAX_ATTRIBUTES {
            continue;
        }
        let value = parts.get(1).map_or(
            aws_byte_cursor {
                len: 0,
                ptr: std::ptr::null_mut(),
            },
            |v| {
                let start = v.iter().position(|&b| b != b'"').unwrap_or(v.len());
                let end = v.iter().rposition(|&b| b != b'"').map_or(start, |i| i + 1);
                cursor(&v[start..end.max(start)])
            },
        );
        attributes.push(aws_xml_attribute {
            name: cursor(parts[0]),
            value,
        });
    }
    Some(Node {
        parser,
        name: pieces[0],
        attributes,
        body,
        processed: false,
        is_empty: decl.last() == Some(&b'/'),
    })
}

/// Moves past the node's closing tag (counting nested tags of the same name)
/// and returns its body.
fn skip_to_close<'a>(parser: &mut Parser<'a>, node: &Node<'a>) -> Result<&'a [u8], c_int> {
    if node.is_empty {
        return Ok(&[]);
    }
    let close = [b"</", node.name, b">"].concat();
    let open = [b"<", node.name].concat();
    if close.len() > node.body.len() || close.len() > MAX_NAME_LEN + 3 {
        parser.failed = true;
        return Err(raise(AWS_ERROR_INVALID_XML));
    }
    let mut depth = 1;
    let mut close_at;
    loop {
        let Some(c) = find(parser.doc, &close) else {
            return Err(raise(AWS_ERROR_INVALID_XML));
        };
        close_at = parser.doc[c..].as_ptr();
        let mut c = c;
        loop {
            match find(parser.doc, &open) {
                Some(o) if o < c => {
                    parser.doc = &parser.doc[o + 1..];
                    c -= o + 1;
                    depth += 1;
                }
                _ => {
                    parser.doc = &parser.doc[c + close.len()..];
                    depth -= 1;
                    break;
                }
            }
        }
        if depth == 0 {
            break;
        }
    }
    let len = close_at as usize - node.body.as_ptr() as usize;
    if parser.failed {
        return Err(AWS_OP_ERR);
    }
    Ok(&node.body[..len])
}

/// The next `<...>` in the document: its inside, with the document moved past it.
fn next_tag<'a>(parser: &mut Parser<'a>) -> Option<&'a [u8]> {
    let lt = parser.doc.iter().position(|&b| b == b'<')?;
    let gt = parser.doc.iter().position(|&b| b == b'>')?;
    if lt >= gt {
        return None;
    }
    let tag = &parser.doc[lt + 1..gt];
    parser.doc = &parser.doc[gt + 1..];
    Some(tag)
}

/// # Safety
/// `cb` is the caller's callback; `node` lives across the call.
unsafe fn visit(
    node: &mut Node,
    cb: aws_xml_parser_on_node_encountered_fn,
    user_data: *mut c_void,
) -> c_int {
    let cb = cb.unwrap_or_else(|| crate::ffi::fatal("aws_xml: NULL callback"));
    // SAFETY: the node pointer is valid for the callback's duration.
    unsafe { cb(node as *mut Node as *mut aws_xml_node, user_data) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_xml_parse(
    _allocator: *mut aws_allocator,
    options: *const aws_xml_parser_options,
) -> c_int {
    // SAFETY: options and its document cursor are valid (caller contract).
    let o = unsafe { &*options };
    // SAFETY: the document outlives the parse.
    let mut doc = unsafe { crate::ffi::slice(o.doc.ptr, o.doc.len) };
    // Skip the prolog: <?xml ...?>, <!DOCTYPE ...>, comments.
    while !doc.is_empty() {
        let (Some(lt), Some(gt)) = (
            doc.iter().position(|&b| b == b'<'),
            doc.iter().position(|&b| b == b'>'),
        ) else {
            return raise(AWS_ERROR_INVALID_XML);
        };
        if lt > gt {
            return raise(AWS_ERROR_INVALID_XML);
        }
        doc = &doc[lt..];
        if matches!(doc.get(1), Some(b'?' | b'!')) {
            doc = &doc[gt - lt + 1..];
        } else {
            break;
        }
    }
    let mut parser = Parser {
        doc,
        depth: 1,
        max_depth: if o.max_depth != 0 {
            o.max_depth
        } else {
            DEFAULT_MAX_DEPTH
        },
        failed: false,
    };
    let Some(decl) = next_tag(&mut parser) else {
        return raise(AWS_ERROR_INVALID_XML);
    };
    let body = parser.doc;
    let Some(mut root) = load_decl(decl, &mut parser, body) else {
        return raise(AWS_ERROR_INVALID_XML);
    };
    // SAFETY: root lives across the callback.
    if unsafe { visit(&mut root, o.on_root_encountered, o.user_data) } != AWS_OP_SUCCESS {
        return AWS_OP_ERR;
    }
    if !root.processed {
        if let Err(e) = skip_to_close(&mut parser, &root) {
            return e;
        }
    }
    if parser.failed {
        AWS_OP_ERR
    } else {
        AWS_OP_SUCCESS
    }
}

/// # Safety
/// `node` is the node handed to the running callback.
unsafe fn node_mut<'a, 'b>(node: *mut aws_xml_node) -> &'b mut Node<'a> {
    // SAFETY: per the contract.
    unsafe { &mut *(node as *mut Node<'a>) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_xml_node_as_body(
    node: *mut aws_xml_node,
    out_body: *mut aws_byte_cursor,
) -> c_int {
    // SAFETY: node is live during its callback, as is its parser.
    unsafe {
        let n = node_mut(node);
        crate::fatal_precondition!(
            !n.processed,
            "XML node can be traversed, or read as body, but not both."
        );
        n.processed = true;
        match skip_to_close(&mut *n.parser, n) {
            Ok(body) => {
                if !out_body.is_null() {
                    *out_body = if n.is_empty {
                        aws_byte_cursor {
                            len: 0,
                            ptr: std::ptr::null_mut(),
                        }
                    } else {
                        cursor(body)
                    };
                }
                AWS_OP_SUCCESS
            }
            Err(e) => e,
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_xml_node_as_body_unescaped(
    allocator: *mut aws_allocator,
    node: *mut aws_xml_node,
    out_body: *mut aws_byte_buf,
) -> c_int {
    let mut body = aws_byte_cursor {
        len: 0,
        ptr: std::ptr::null_mut(),
    };
    // SAFETY: forwarded caller contract.
    unsafe {
        if aws_xml_node_as_body(node, &mut body) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        aws_byte_buf_append_unescaped_xml(allocator, body, out_body)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_xml_node_traverse(
    node: *mut aws_xml_node,
    on_node_encountered: aws_xml_parser_on_node_encountered_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: node is live during its callback, as is its parser; children live across theirs.
    unsafe {
        let n = node_mut(node);
        crate::fatal_precondition!(
            !n.processed,
            "XML node can be traversed, or read as body, but not both."
        );
        n.processed = true;
        let parser = &mut *n.parser;
        if parser.depth >= parser.max_depth {
            raise(AWS_ERROR_INVALID_XML);
            parser.failed = true;
            return AWS_OP_ERR;
        }
        parser.depth += 1;
        while !parser.failed {
            let Some(tag) = next_tag(parser) else {
                raise(AWS_ERROR_INVALID_XML);
                parser.failed = true;
                return AWS_OP_ERR;
            };
            if tag.first() == Some(&b'/') {
                break;
            }
            let body = parser.doc;
            let Some(mut child) = load_decl(tag, parser, body) else {
                return raise(AWS_ERROR_INVALID_XML);
            };
            if visit(&mut child, on_node_encountered, user_data) != AWS_OP_SUCCESS
                || (!child.processed && skip_to_close(parser, &child).is_err())
            {
                parser.failed = true;
                return AWS_OP_ERR;
            }
        }
        parser.depth -= 1;
        if parser.failed {
            AWS_OP_ERR
        } else {
            AWS_OP_SUCCESS
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_xml_node_get_name(node: *const aws_xml_node) -> aws_byte_cursor {
    // SAFETY: node is live during its callback.
    cursor(unsafe { node_mut(node as *mut aws_xml_node) }.name)
}

#[no_mangle]
pub unsafe extern "C" fn aws_xml_node_get_num_attributes(node: *const aws_xml_node) -> usize {
    // SAFETY: node is live during its callback.
    unsafe { node_mut(node as *mut aws_xml_node) }
        .attributes
        .len()
}

#[no_mangle]
pub unsafe extern "C" fn aws_xml_node_get_attribute(
    node: *const aws_xml_node,
    attribute_index: usize,
) -> aws_xml_attribute {
    // SAFETY: node is live during its callback.
    let n = unsafe { node_mut(node as *mut aws_xml_node) };
    match n.attributes.get(attribute_index) {
        Some(a) => aws_xml_attribute {
            name: a.name,
            value: a.value,
        },
        None => crate::ffi::fatal("Invalid XML attribute index"),
    }
}

/// Decodes `&lt; &gt; &amp; &quot; &apos; &#N; &#xH;` (code points as UTF-8).
fn unescape(data: &[u8], out: &mut Vec<u8>) -> Result<(), c_int> {
    let mut pieces = data.split(|&b| b == b'&');
    out.extend_from_slice(pieces.next().unwrap_or_default());
    for piece in pieces {
        let (name, rest) = match piece.iter().position(|&b| b == b';') {
            Some(i) => (&piece[..i], &piece[i + 1..]),
            None => (piece, piece),
        };
        match name {
            b"lt" => out.push(b'<'),
            b"gt" => out.push(b'>'),
            b"amp" => out.push(b'&'),
            b"quot" => out.push(b'"'),
            b"apos" => out.push(b'\''),
            [b'#', digits @ ..] if !digits.is_empty() => {
                let (radix, digits) = match digits {
                    [b'x' | b'X', hex @ ..] => (16, hex),
                    _ => (10, digits),
                };
                let text = std::str::from_utf8(digits).map_err(|_| AWS_ERROR_INVALID_XML)?;
                if text.is_empty() || !text.bytes().all(|b| (b as char).is_digit(radix)) {
                    return Err(AWS_ERROR_INVALID_XML);
                }
                let code = u64::from_str_radix(text, radix).map_err(|_| AWS_ERROR_INVALID_XML)?;
                if code > 0x10FFFF {
                    return Err(AWS_ERROR_INVALID_XML);
                }
                let c = code as u32;
                // Encoded as UTF-8 by hand: surrogates are written as upstream writes them.
                match c {
                    0..=0x7F => out.push(c as u8),
                    0x80..=0x7FF => {
                        out.extend_from_slice(&[0xC0 | (c >> 6) as u8, 0x80 | (c & 0x3F) as u8])
                    }
                    0x800..=0xFFFF => out.extend_from_slice(&[
                        0xE0 | (c >> 12) as u8,
                        0x80 | ((c >> 6) & 0x3F) as u8,
                        0x80 | (c & 0x3F) as u8,
                    ]),
                    _ => out.extend_from_slice(&[
                        0xF0 | (c >> 18) as u8,
                        0x80 | ((c >> 12) & 0x3F) as u8,
                        0x80 | ((c >> 6) & 0x3F) as u8,
                        0x80 | (c & 0x3F) as u8,
                    ]),
                }
            }
            _ => return Err(AWS_ERROR_INVALID_XML),
        }
        out.extend_from_slice(rest);
    }
    Ok(())
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_append_unescaped_xml(
    _allocator: *mut aws_allocator,
    data: aws_byte_cursor,
    out: *mut aws_byte_buf,
) -> c_int {
    let mut text = Vec::with_capacity(data.len);
    // SAFETY: data is a valid cursor.
    if let Err(code) = unescape(unsafe { crate::ffi::slice(data.ptr, data.len) }, &mut text) {
        return raise(code);
    }
    // SAFETY: out is a valid buffer; the cursor borrows `text` for the call.
    unsafe {
        if aws_byte_buf_reserve_relative(out, text.len()) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        aws_byte_buf_append(out, &cursor(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes() {
        let mut out = Vec::new();
        unescape(b"a&lt;b&amp;c&#65;&#x20AC;!", &mut out).unwrap();
        assert_eq!(out, "a<b&cA\u{20AC}!".as_bytes());
        assert_eq!(
            unescape(b"&bogus;", &mut Vec::new()),
            Err(AWS_ERROR_INVALID_XML)
        );
    }
}
