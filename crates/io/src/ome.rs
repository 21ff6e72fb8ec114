//! Channel names from OME-XML (the ImageDescription of an OME-TIFF).
//!
//! A small hand parse of `<Channel ... Name="...">` elements, in document order: enough for the
//! files tifffile, Bio-Formats and steinbock write, without an XML dependency.

/// The `Name` attributes of the `<Channel>` elements of `xml`, or `None` if it is not OME-XML
/// or a channel has no name.
pub fn ome_channel_names(xml: &str) -> Option<Vec<String>> {
    if !xml.contains("<OME") {
        return None;
    }
    let mut names = Vec::new();
    let mut rest = xml;
    while let Some(start) = find_channel_tag(rest) {
        let tag_start = &rest[start..];
        let end = tag_start.find('>')?;
        let tag = &tag_start[..end];
        names.push(unescape(&attribute(tag, "Name")?));
        rest = &tag_start[end..];
    }
    (!names.is_empty()).then_some(names)
}

/// Offset of the next `<Channel` or `<ome:Channel` element start (not `<ChannelRef` etc.).
fn find_channel_tag(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find("Channel") {
        let at = from + i;
        let before = &s[..at];
        let opens = before.ends_with('<')
            || (before.ends_with(':')
                && before
                    .rfind('<')
                    .is_some_and(|lt| !before[lt..].contains(char::is_whitespace)));
        let after = s[at + "Channel".len()..].chars().next();
        if opens && matches!(after, Some(c) if c.is_whitespace() || c == '>' || c == '/') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut from = 0;
    while let Some(i) = tag[from..].find(name) {
        let at = from + i;
        let preceded = tag[..at].ends_with(char::is_whitespace);
        let rest = tag[at + name.len()..].trim_start();
        if preceded {
            if let Some(rest) = rest.strip_prefix('=') {
                let rest = rest.trim_start();
                let quote = rest.chars().next()?;
                if quote == '"' || quote == '\'' {
                    let body = &rest[1..];
                    return body.find(quote).map(|end| body[..end].to_string());
                }
            }
        }
        from = at + name.len();
    }
    None
}

/// OME-XML for a `(channels, y, x)` stack stored one page per channel (page `c` = channel
/// `c`), channels named `names`: what tifffile and Bio-Formats read channel names from.
#[must_use]
pub fn ome_xml(names: &[String], height: usize, width: usize, sample: crate::SampleType) -> String {
    let kind = match sample {
        crate::SampleType::U16 => "uint16",
        crate::SampleType::F32 => "float",
    };
    let c = names.len();
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\">\
         <Image ID=\"Image:0\"><Pixels ID=\"Pixels:0\" DimensionOrder=\"XYCZT\" Type=\"{kind}\" \
         SizeX=\"{width}\" SizeY=\"{height}\" SizeC=\"{c}\" SizeZ=\"1\" SizeT=\"1\">"
    );
    for (i, name) in names.iter().enumerate() {
        xml.push_str(&format!(
            "<Channel ID=\"Channel:0:{i}\" Name=\"{}\" SamplesPerPixel=\"1\"/>",
            escape(name)
        ));
    }
    for i in 0..c {
        xml.push_str(&format!(
            "<TiffData FirstC=\"{i}\" FirstZ=\"0\" FirstT=\"0\" IFD=\"{i}\" PlaneCount=\"1\"/>"
        ));
    }
    xml.push_str("</Pixels></Image></OME>");
    xml
}

/// XML-escapes `s`, non-ASCII characters as character references: a TIFF ImageDescription is
/// ASCII (the `tiff` crate refuses anything else).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_ascii() => out.push(c),
            c => out.push_str(&format!("&#x{:X};", u32::from(c))),
        }
    }
    out
}

/// Decodes `&#NN;` / `&#xHH;` character references.
fn char_refs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let decoded = tail.find(';').and_then(|end| {
            let body = &tail[..end];
            let code = match body.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => body.parse().ok(),
            };
            code.and_then(char::from_u32).map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push_str("&#");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

fn unescape(s: &str) -> String {
    char_refs(s)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_in_order() {
        let xml = r#"<?xml version="1.0"?><OME xmlns="x"><Image ID="Image:0"><Pixels ID="P"><Channel ID="Channel:0:0" Name="DNA1 &amp; 2" SamplesPerPixel="1"/><Channel ID="Channel:0:1" Name="CD45"><LightPath/></Channel></Pixels></Image></OME>"#;
        assert_eq!(ome_channel_names(xml).unwrap(), ["DNA1 & 2", "CD45"]);
    }

    #[test]
    fn written_names_read_back() {
        let names = vec![
            "DNA1 & \"2\"".to_string(),
            "<CD45>".to_string(),
            "β-catenin".into(),
        ];
        let xml = ome_xml(&names, 3, 4, crate::SampleType::F32);
        assert!(xml.is_ascii());
        assert_eq!(ome_channel_names(&xml).unwrap(), names);
    }

    #[test]
    fn rejects_non_ome_and_unnamed() {
        assert!(ome_channel_names("ImageJ=1.11a").is_none());
        assert!(ome_channel_names(r#"<OME><Channel ID="c"/></OME>"#).is_none());
    }
}
