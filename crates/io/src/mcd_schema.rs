//! The MCD schema XML: slides, panoramas, ROIs, acquisitions and their channels.
//!
//! Follows readimc's `MCDParser` (0.9.2): elements are flat children of `<MCDSchema>` linked by
//! ids (`Panorama/SlideID`, `AcquisitionROI/PanoramaID`, `Acquisition/AcquisitionROIID`,
//! `AcquisitionChannel/AcquisitionID`); panoramas of type `Default` are virtual (not listed, but
//! their acquisitions are); channels sort by `OrderNumber`, the first three being X, Y, Z; a
//! channel name is `Metal(mass)`; slides and acquisitions sort by id.

use std::collections::HashMap;

use roxmltree::{Document, Node};

use crate::imc_channel::ImcChannel;

/// A slide and what was acquired on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Slide {
    /// The slide's id.
    pub id: i64,
    /// Its description.
    pub description: String,
    /// Real (not `Default`) panoramas, by id.
    pub panoramas: Vec<Panorama>,
    /// Acquisitions, by id.
    pub acquisitions: Vec<Acquisition>,
}

/// A panorama image of a slide.
#[derive(Debug, Clone, PartialEq)]
pub struct Panorama {
    /// The panorama's id.
    pub id: i64,
    /// Its description.
    pub description: String,
    /// `PixelWidth` x `PixelHeight`, when the file gives them.
    pub size: Option<(u64, u64)>,
}

/// One acquisition (ROI image) and where its pixels are.
#[derive(Debug, Clone, PartialEq)]
pub struct Acquisition {
    /// The acquisition's id.
    pub id: i64,
    /// Its description.
    pub description: String,
    /// The panorama it belongs to (`None` for a virtual panorama).
    pub panorama: Option<i64>,
    /// `MaxX`, `MaxY`.
    pub width: usize,
    /// `MaxY`.
    pub height: usize,
    /// Measurement channels (X, Y, Z excluded), by `OrderNumber`.
    pub channels: Vec<ImcChannel>,
    /// The ROI's corners on the slide (`SlideXPosUm`, `SlideYPosUm`), by `OrderNumber`, when
    /// it has exactly four (readimc's `roi_points_um`).
    pub roi_points_um: Option<[(f64, f64); 4]>,
    /// `AblationDistanceBetweenShotsX`, `...Y`: the pixel size in micrometres.
    pub pixel_size_um: (Option<f64>, Option<f64>),
    pub(crate) data_start: u64,
    pub(crate) data_end: u64,
    pub(crate) value_bytes: u64,
}

/// The schema's elements by local name, and text lookups on them.
struct Schema<'a, 'i> {
    by_tag: HashMap<&'a str, Vec<Node<'a, 'i>>>,
}

fn text<'a>(node: Node<'a, '_>, tag: &str) -> Option<&'a str> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == tag)
        .map(|c| c.text().unwrap_or(""))
}

fn required<'a>(node: Node<'a, '_>, tag: &str) -> Result<&'a str, String> {
    text(node, tag).ok_or_else(|| format!("<{}> has no <{tag}>", node.tag_name().name()))
}

fn int(node: Node<'_, '_>, tag: &str) -> Result<i64, String> {
    let t = required(node, tag)?;
    t.trim().parse().map_err(|_| {
        format!(
            "<{}><{tag}> '{t}' is not an integer",
            node.tag_name().name()
        )
    })
}

/// The text of `tag` as a number, `None` when absent.
fn float(node: Node<'_, '_>, tag: &str) -> Result<Option<f64>, String> {
    text(node, tag)
        .map(|t| {
            t.trim()
                .parse()
                .map_err(|_| format!("<{}><{tag}> '{t}' is not a number", node.tag_name().name()))
        })
        .transpose()
}

/// The four corners of an acquisition ROI, by `OrderNumber`; `None` unless there are four.
fn roi_points(schema: &Schema, roi: i64) -> Result<Option<[(f64, f64); 4]>, String> {
    let nodes = schema.linked("ROIPoint", "AcquisitionROIID", roi);
    if nodes.len() != 4 {
        return Ok(None);
    }
    let mut points = Vec::with_capacity(4);
    for n in nodes {
        let required_float =
            |tag| float(n, tag)?.ok_or_else(|| format!("<ROIPoint> has no <{tag}>"));
        points.push((
            int(n, "OrderNumber")?,
            (
                required_float("SlideXPosUm")?,
                required_float("SlideYPosUm")?,
            ),
        ));
    }
    points.sort_by_key(|(order, _)| *order);
    Ok(Some([points[0].1, points[1].1, points[2].1, points[3].1]))
}

impl<'a, 'i> Schema<'a, 'i> {
    fn new(doc: &'a Document<'i>) -> Self {
        let mut by_tag: HashMap<&'a str, Vec<Node<'a, 'i>>> = HashMap::new();
        for node in doc.root_element().children().filter(Node::is_element) {
            by_tag.entry(node.tag_name().name()).or_default().push(node);
        }
        Schema { by_tag }
    }

    /// Elements `tag` whose child `key` is `id`.
    fn linked(&self, tag: &str, key: &str, id: i64) -> Vec<Node<'a, 'i>> {
        let matches = |n: &Node| text(*n, key).and_then(|t| t.trim().parse().ok()) == Some(id);
        self.by_tag
            .get(tag)
            .map(|v| v.iter().copied().filter(matches).collect())
            .unwrap_or_default()
    }
}

/// Parses the schema XML into slides.
///
/// # Errors
/// A message naming the element and field that is missing or malformed.
pub(crate) fn parse_slides(xml: &str) -> Result<Vec<Slide>, String> {
    let doc = Document::parse(xml).map_err(|e| format!("schema XML: {e}"))?;
    let schema = Schema::new(&doc);
    let mut slides = Vec::new();
    for node in schema.by_tag.get("Slide").into_iter().flatten() {
        slides.push(parse_slide(&schema, *node)?);
    }
    slides.sort_by_key(|s| s.id);
    Ok(slides)
}

fn parse_slide(schema: &Schema, node: Node) -> Result<Slide, String> {
    let id = int(node, "ID")?;
    let mut slide = Slide {
        id,
        description: text(node, "Description").unwrap_or("").to_string(),
        panoramas: Vec::new(),
        acquisitions: Vec::new(),
    };
    for pano in schema.linked("Panorama", "SlideID", id) {
        let pano_id = int(pano, "ID")?;
        let real = text(pano, "Type") != Some("Default");
        if real {
            let dim = |t| text(pano, t).and_then(|v| v.trim().parse().ok());
            slide.panoramas.push(Panorama {
                id: pano_id,
                description: text(pano, "Description").unwrap_or("").to_string(),
                size: dim("PixelWidth").zip(dim("PixelHeight")),
            });
        }
        for roi in schema.linked("AcquisitionROI", "PanoramaID", pano_id) {
            let roi_id = int(roi, "ID")?;
            let points = roi_points(schema, roi_id)?;
            for acq in schema.linked("Acquisition", "AcquisitionROIID", roi_id) {
                let panorama = real.then_some(pano_id);
                let mut acquisition = parse_acquisition(schema, acq, panorama)?;
                acquisition.roi_points_um = points;
                slide.acquisitions.push(acquisition);
            }
        }
    }
    slide.panoramas.sort_by_key(|p| p.id);
    slide.acquisitions.sort_by_key(|a| a.id);
    Ok(slide)
}

fn parse_acquisition(
    schema: &Schema,
    node: Node,
    panorama: Option<i64>,
) -> Result<Acquisition, String> {
    let id = int(node, "ID")?;
    let nonneg = |tag| {
        let v = int(node, tag)?;
        u64::try_from(v).map_err(|_| format!("acquisition {id}: negative {tag} {v}"))
    };
    let size = |tag| nonneg(tag).map(|v| usize::try_from(v).unwrap_or(usize::MAX));
    let mut entries = Vec::new();
    for ch in schema.linked("AcquisitionChannel", "AcquisitionID", id) {
        entries.push((int(ch, "OrderNumber")?, ch));
    }
    entries.sort_by_key(|(order, _)| *order);
    let mut channels = Vec::new();
    for (i, (_, ch)) in entries.iter().enumerate() {
        let name = required(*ch, "ChannelName")?;
        if let Some(axis) = ["X", "Y", "Z"].get(i) {
            if name != *axis {
                return Err(format!(
                    "acquisition {id}: channel {i} is '{name}', expected '{axis}'"
                ));
            }
            continue;
        }
        channels.push(parse_channel(id, name, required(*ch, "ChannelLabel")?)?);
    }
    if entries.len() < 3 {
        return Err(format!("acquisition {id}: fewer than the X, Y, Z channels"));
    }
    Ok(Acquisition {
        id,
        description: text(node, "Description").unwrap_or("").to_string(),
        panorama,
        width: size("MaxX")?,
        height: size("MaxY")?,
        channels,
        roi_points_um: None,
        pixel_size_um: (
            float(node, "AblationDistanceBetweenShotsX")?,
            float(node, "AblationDistanceBetweenShotsY")?,
        ),
        data_start: nonneg("DataStartOffset")?,
        data_end: nonneg("DataEndOffset")?,
        value_bytes: nonneg("ValueBytes")?,
    })
}

/// `Metal(mass)`, e.g. `Ir(191)`.
fn parse_channel(acq: i64, name: &str, label: &str) -> Result<ImcChannel, String> {
    let bad = || format!("acquisition {acq}: channel name '{name}' is not Metal(mass)");
    let (metal, rest) = name.split_once('(').ok_or_else(bad)?;
    let mass = rest.strip_suffix(')').ok_or_else(bad)?;
    let letters = !metal.is_empty() && metal.chars().all(|c| c.is_ascii_alphabetic());
    let digits = !mass.is_empty() && mass.chars().all(|c| c.is_ascii_digit());
    if !(letters && digits) {
        return Err(bad());
    }
    Ok(ImcChannel {
        metal: metal.to_string(),
        mass: mass.parse().map_err(|_| bad())?,
        label: label.to_string(),
    })
}
