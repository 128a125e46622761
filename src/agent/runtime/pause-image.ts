/**
 * The image of the container that holds an awsvpc task's network namespace, made without a
 * registry: a root filesystem with one file, `/pause`, a static x86-64 Linux executable
 * assembled here by hand that does nothing but wait in the `pause` system call, forever.
 *
 * The executable is a 64-bit ELF header, one PT_LOAD program header mapping the whole file
 * read+execute at 0x400000, and 9 bytes of code:
 *
 *   loop:  mov  eax, 34     ; b8 22 00 00 00   pause()
 *          syscall          ; 0f 05
 *          jmp  loop        ; eb f7            back 9 bytes
 */
import type { ContainerRuntime } from './types.js';

export const pauseImageReference = 'berth/pause:1';

const loadAddress = 0x400000n;
const elfHeaderSize = 64;
const programHeaderSize = 56;
const code = Buffer.from([0xb8, 0x22, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xeb, 0xf7]);

/** The `/pause` executable. */
export function pauseExecutable(): Buffer {
  const codeOffset = elfHeaderSize + programHeaderSize;
  const size = codeOffset + code.length;
  const file = Buffer.alloc(size);
  // e_ident: magic, 64-bit, little-endian, version 1, System V ABI.
  file.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  file.writeUInt16LE(2, 16); // e_type: executable
  file.writeUInt16LE(0x3e, 18); // e_machine: x86-64
  file.writeUInt32LE(1, 20); // e_version
  file.writeBigUInt64LE(loadAddress + BigInt(codeOffset), 24); // e_entry
  file.writeBigUInt64LE(BigInt(elfHeaderSize), 32); // e_phoff
  file.writeBigUInt64LE(0n, 40); // e_shoff: no section headers
  file.writeUInt32LE(0, 48); // e_flags
  file.writeUInt16LE(elfHeaderSize, 52); // e_ehsize
  file.writeUInt16LE(programHeaderSize, 54); // e_phentsize
  file.writeUInt16LE(1, 56); // e_phnum
  file.writeUInt16LE(64, 58); // e_shentsize
  file.writeUInt16LE(0, 60); // e_shnum
  file.writeUInt16LE(0, 62); // e_shstrndx

  const ph = elfHeaderSize;
  file.writeUInt32LE(1, ph); // p_type: PT_LOAD
  file.writeUInt32LE(5, ph + 4); // p_flags: read + execute
  file.writeBigUInt64LE(0n, ph + 8); // p_offset
  file.writeBigUInt64LE(loadAddress, ph + 16); // p_vaddr
  file.writeBigUInt64LE(loadAddress, ph + 24); // p_paddr
  file.writeBigUInt64LE(BigInt(size), ph + 32); // p_filesz
  file.writeBigUInt64LE(BigInt(size), ph + 40); // p_memsz
  file.writeBigUInt64LE(0x1000n, ph + 48); // p_align

  code.copy(file, codeOffset);
  return file;
}

/** A tar (POSIX ustar) of the pause image's root filesystem. */
export function pauseRootfsTar(): Buffer {
  return ustar([{ path: 'pause', mode: 0o755, content: pauseExecutable() }]);
}

/** Imports the pause image unless the engine has it. Only x86-64 hosts can use the built-in one. */
export async function ensurePauseImage(runtime: ContainerRuntime, architecture: string): Promise<string> {
  if (await runtime.hasImage(pauseImageReference)) return pauseImageReference;
  if (!['x86_64', 'amd64'].includes(architecture)) {
    throw new Error(
      `Berth's built-in pause image for awsvpc tasks runs only on x86_64, and this Docker engine is ${architecture}. ` +
        'Supply a pause image for this architecture with the agent\'s --pause-image option (any image whose command waits forever).',
    );
  }
  await runtime.importImage(pauseImageReference, pauseRootfsTar(), ['/pause']);
  return pauseImageReference;
}

interface TarEntry {
  path: string;
  mode: number;
  content: Buffer;
}

const block = 512;

/** Regular files only, which is all the pause image needs; owner root, timestamp 0. */
function ustar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    if (Buffer.byteLength(entry.path) > 100) throw new Error(`Tar entry name too long: ${entry.path}`);
    const header = Buffer.alloc(block);
    header.write(entry.path, 0, 100, 'utf8');
    writeOctal(header, entry.mode, 100, 8);
    writeOctal(header, 0, 108, 8); // uid
    writeOctal(header, 0, 116, 8); // gid
    writeOctal(header, entry.content.length, 124, 12);
    writeOctal(header, 0, 136, 12); // mtime
    header.write('0', 156, 'ascii'); // typeflag: regular file
    header.write('ustar\u000000', 257, 'ascii'); // magic "ustar\0", version "00"
    header.write('root', 265, 'ascii'); // uname
    header.write('root', 297, 'ascii'); // gname
    // The checksum is computed with its own field read as eight spaces.
    header.fill(' ', 148, 156);
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    header.write(`${checksum.toString(8).padStart(6, '0')}\u0000 `, 148, 'ascii');
    parts.push(header, entry.content, Buffer.alloc((block - (entry.content.length % block)) % block));
  }
  parts.push(Buffer.alloc(block * 2));
  return Buffer.concat(parts);
}

function writeOctal(header: Buffer, value: number, offset: number, length: number): void {
  header.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}
