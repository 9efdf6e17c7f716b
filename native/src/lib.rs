// Sluice's N-API addon (napi-rs). Every function here has a JavaScript twin; native/src/index.ts loads this once
// per thread and picks per function (SLUICE_NATIVE=0 forces the twins).
//   crc32cUpdate(crc, data, start, end): number   CRC-32C of data[start, end) continuing from crc (0 to start)
//   crc32cPortableUpdate(crc, data, start, end)    the same with the table fallback only (tests, benches)
//   crc32cImplementation(): 'sse4.2' | 'table'      which path crc32cUpdate takes on this CPU
//   sendFile(socketFd, header, fileFd, position, length): number   see send_file.rs for the result contract
//   sendFileSupported(): boolean                  false where the platform has no sendfile(2) path
//   fdatasyncAll(fds): number[]                   fdatasync(2) of every fd at once; 0 or -errno each (fdatasync_all.rs)
//   fdatasyncStart(fds): number                   the same in the background; an id for fdatasyncPoll / fdatasyncWait
//   fdatasyncPoll(id): number[] | null            the results once done (null while running)
//   fdatasyncWait(id): number[] | null            blocks until done; the results (null for an unknown id)
#![deny(clippy::all)]

mod crc32c;
mod fdatasync_all;
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

#[napi(js_name = "fdatasyncAll")]
pub fn fdatasync_all(fds: Vec<i32>) -> Vec<i32> {
  fdatasync_all::fdatasync_all(&fds)
}

#[napi(js_name = "fdatasyncStart")]
pub fn fdatasync_start(fds: Vec<i32>) -> u32 {
  fdatasync_all::start(&fds)
}

#[napi(js_name = "fdatasyncPoll")]
pub fn fdatasync_poll(id: u32) -> Option<Vec<i32>> {
  fdatasync_all::poll(id)
}

#[napi(js_name = "fdatasyncWait")]
pub fn fdatasync_wait(id: u32) -> Option<Vec<i32>> {
  fdatasync_all::wait(id)
}
