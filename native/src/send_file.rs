// Zero-copy send of one fetch-response piece: the bytes of `header`, then `length` bytes of `file_fd` from
// `position`, to a NON-BLOCKING socket, with send(2) (MSG_MORE when file bytes follow, so the kernel packs the header
// into the file's first segment) and sendfile(2) (page cache -> socket, no copy through user space).
// Result, as one number so the hot path allocates nothing:
//   > 0   bytes written (header bytes first, then file bytes); less than header.len() + length means the socket
//         buffer filled up (EAGAIN) or an error/end of file came after some progress: call again with the rest.
//   0     nothing written: the socket would block. Wait until it is writable, then call again.
//   < 0   -errno, nothing written: EBADF, EPIPE, ECONNRESET, ...; -ENODATA when the file ends before the range does;
//         -EINVAL when the socket is in blocking mode (a blocking fd would stall the event loop for the whole range).
// The caller owns ordering: it must call this only while nothing else (Node's own write queue) has unsent bytes for
// the socket, and must not write to the socket by other means until the range is complete.

#[cfg(target_os = "linux")]
fn errno() -> i32 {
  std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)
}

#[cfg(target_os = "linux")]
pub fn send_file(socket_fd: i32, header: &[u8], file_fd: i32, position: i64, length: i64) -> i64 {
  // SAFETY: fcntl on an integer fd has no memory effects; a bad fd gives EBADF.
  let flags = unsafe { libc::fcntl(socket_fd, libc::F_GETFL) };
  if flags < 0 {
    return -(errno() as i64);
  }
  if flags & libc::O_NONBLOCK == 0 {
    return -(libc::EINVAL as i64);
  }
  if position < 0 || length < 0 {
    return -(libc::EINVAL as i64);
  }
  let mut written: i64 = 0;
  let fail = |written: i64, err: i32| -> i64 {
    if err == libc::EAGAIN || err == libc::EWOULDBLOCK || written > 0 {
      written
    } else {
      -(err as i64)
    }
  };
  let mut off = 0usize;
  while off < header.len() {
    let more = if length > 0 { libc::MSG_MORE } else { 0 };
    // SAFETY: the pointer and length describe the live slice header[off..].
    let n = unsafe {
      libc::send(
        socket_fd,
        header[off..].as_ptr() as *const libc::c_void,
        header.len() - off,
        libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT | more,
      )
    };
    if n < 0 {
      let err = errno();
      if err == libc::EINTR {
        continue;
      }
      return fail(written, err);
    }
    off += n as usize;
    written += n as i64;
  }
  let mut pos: libc::off_t = position as libc::off_t;
  let mut left = length;
  while left > 0 {
    // sendfile moves at most 0x7ffff000 bytes per call (Linux); the socket buffer usually stops it far earlier.
    let chunk = left.min(0x7fff_f000) as usize;
    // SAFETY: `pos` is a live off_t the kernel advances; fds are plain integers.
    let n = unsafe { libc::sendfile(socket_fd, file_fd, &mut pos, chunk) };
    if n < 0 {
      let err = errno();
      if err == libc::EINTR {
        continue;
      }
      return fail(written, err);
    }
    if n == 0 {
      return if written > 0 { written } else { -(libc::ENODATA as i64) };
    }
    left -= n as i64;
    written += n as i64;
  }
  written
}

#[cfg(not(target_os = "linux"))]
pub fn send_file(_socket_fd: i32, _header: &[u8], _file_fd: i32, _position: i64, _length: i64) -> i64 {
  -78 // ENOSYS on Linux numbering; the loader never calls this where sendFileSupported() is false.
}

pub fn supported() -> bool {
  cfg!(target_os = "linux")
}
