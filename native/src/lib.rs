// Sluice's N-API addon (napi-rs). Every function here has a JavaScript twin; native/src/index.ts loads this once
// per thread and picks per function (SLUICE_NATIVE=0 forces the twins).
//   crc32cUpdate(crc, data, start, end): number   CRC-32C of data[start, end) continuing from crc (0 to start)
//   crc32cPortableUpdate(crc, data, start, end)    the same with the table fallback only (tests, benches)
//   crc32cImplementation(): 'sse4.2' | 'table'      which path crc32cUpdate takes on this CPU
//   sendFile(socketFd, header, fileFd, position, length): number   see send_file.rs for the result contract
//   sendFileSupported(): boolean                  false where the platform has no sendfile(2) path
#![deny(clippy::all)]

mod crc32c;
mod send_file;

use napi::{Error, Result, Status};
use napi_derive::napi;

fn range(data: &[u8], start: u32, end: u32) -> Result<&[u8]> {
  let (s, e) = (start as usize, end as usize);
  if s > e || e > data.len() {
    return Err(Error::new(
      Status::InvalidArg,
      format!("range [{s}, {e}) outside a buffer of {} bytes", data.len()),
    ));
  }
  Ok(&data[s..e])
}

#[napi(js_name = "crc32cUpdate")]
pub fn crc32c_update(crc: u32, data: &[u8], start: u32, end: u32) -> Result<u32> {
  Ok(crc32c::update(crc, range(data, start, end)?))
}

#[napi(js_name = "crc32cPortableUpdate")]
pub fn crc32c_portable_update(crc: u32, data: &[u8], start: u32, end: u32) -> Result<u32> {
  Ok(crc32c::update_portable(crc, range(data, start, end)?))
}

#[napi(js_name = "crc32cImplementation")]
pub fn crc32c_implementation() -> &'static str {
  if crc32c::has_sse42() {
    "sse4.2"
  } else {
    "table"
  }
}

#[napi(js_name = "sendFile")]
pub fn send_file(socket_fd: i32, header: &[u8], file_fd: i32, position: i64, length: i64) -> i64 {
  send_file::send_file(socket_fd, header, file_fd, position, length)
}

#[napi(js_name = "sendFileSupported")]
pub fn send_file_supported() -> bool {
  send_file::supported()
}
