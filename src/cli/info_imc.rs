//! `pixelforest info` for IMC instrument files: what a `.mcd` or `.txt` holds.

use std::path::Path;

use pixelforest::io::{read_imc_txt, ImcChannel, McdFile};
use serde_json::json;

/// True for the files this module describes.
pub fn is_imc_file(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .is_some_and(|e| e == "mcd" || e == "txt")
}

fn channel_list(channels: &[ImcChannel]) -> String {
    channels
        .iter()
        .map(|c| {
            if c.label.is_empty() {
                c.name()
            } else {
                format!("{} ({})", c.name(), c.label)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn channels_json(channels: &[ImcChannel]) -> serde_json::Value {
    channels
        .iter()
        .map(|c| json!({"channel": c.name(), "metal": c.metal, "mass": c.mass, "label": c.label}))
        .collect()
}

/// Prints the slides, panoramas and acquisitions of a `.mcd` file, or a `.txt` file's size
/// and channels (as JSON with `json`).
pub fn print(path: &Path, json: bool) -> anyhow::Result<()> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
    {
        let txt = read_imc_txt(path)?;
        let (c, h, w) = txt.data.dim();
        if json {
            let v = json!({"file": path, "width": w, "height": h, "channels": channels_json(&txt.channels)});
            println!("{}", serde_json::to_string_pretty(&v)?);
        } else {
            println!("file:     {}", path.display());
            println!("size:     {w} x {h} pixels");
            println!("channels: {c}: {}", channel_list(&txt.channels));
        }
        return Ok(());
    }
    let mcd = McdFile::open(path)?;
    if json {
        let slides: Vec<serde_json::Value> = mcd
            .slides()
            .iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "description": s.description,
                    "panoramas": s.panoramas.iter().map(|p| json!({
                        "id": p.id, "description": p.description,
                        "width": p.size.map(|s| s.0), "height": p.size.map(|s| s.1),
                    })).collect::<Vec<_>>(),
                    "acquisitions": s.acquisitions.iter().map(|a| json!({
                        "id": a.id, "description": a.description, "panorama": a.panorama,
                        "width": a.width, "height": a.height, "channels": channels_json(&a.channels),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"file": path, "slides": slides}))?
        );
        return Ok(());
    }
    println!("file:     {}", path.display());
    for s in mcd.slides() {
        println!("slide {}: {}", s.id, s.description);
        for p in &s.panoramas {
            let size = p
                .size
                .map(|(w, h)| format!(", {w} x {h} pixels"))
                .unwrap_or_default();
            println!("  panorama {}: {}{size}", p.id, p.description);
        }
        for a in &s.acquisitions {
            let pano = a
                .panorama
                .map(|p| format!(", panorama {p}"))
                .unwrap_or_default();
            println!(
                "  acquisition {}: {}, {} x {} pixels{pano}, {} channels: {}",
                a.id,
                a.description,
                a.width,
                a.height,
                a.channels.len(),
                channel_list(&a.channels)
            );
        }
    }
    Ok(())
}
