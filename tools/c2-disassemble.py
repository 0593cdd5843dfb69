#!/usr/bin/env python3
"""Disassembles the code HotSpot prints for a compiled method when no hsdis library is installed.

Without hsdis, -XX:CompileCommand=print,<Class>::<method> prints each compiled method's machine
code as hex words ("[MachCode]"), with HotSpot's annotations (calls, oop maps, safepoint polls)
between them. This script reassembles the bytes of the last C2 compilation of a method whose
name contains METHOD, disassembles them with binutils' objdump at their real addresses, and puts
the annotations back where they were.

    java -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,io.jshm.queue.ShmQueue::slotOrWait \\
        -cp ... SomeDriver > hotspot.txt
    tools/c2-disassemble.py hotspot.txt ShmQueue::slotOrWait | less
"""
import re
import sys

from x86_listing import objdump_listing

CODE_LINE = re.compile(r'\s*0x([0-9a-f]+): (.*)')
HEX_WORDS = re.compile(r'[0-9a-f]+')
INSTRUCTION = re.compile(r'\s*([0-9a-f]+):')


def last_c2_compilation(lines, method):
    headers = [i for i, line in enumerate(lines) if line.startswith('Compiled method (c2)') and method in line]
    if not headers:
        sys.exit(f'c2-disassemble: no "Compiled method (c2)" of {method} in the input')
    return headers[-1]


def machine_code(lines, header):
    """The method's main code as (start address, bytes, annotations by address)."""
    start = next(i for i in range(header, len(lines)) if lines[i].startswith('[MachCode]'))
    code, base, notes, last = bytearray(), None, {}, None
    for line in lines[start + 1:]:
        if line.startswith(('[Stub Code]', '[Exception Handler]', '=====')):
            break
        match = CODE_LINE.match(line)
        if match:
            address, rest = int(match.group(1), 16), match.group(2)
            if rest.startswith(';'):
                notes.setdefault(address, []).append(rest.strip())
                last = address
                continue
            words = rest.replace('|', '').replace(' ', '')
            if HEX_WORDS.fullmatch(words):
                base = address if base is None else base
                if base + len(code) != address:
                    sys.exit(f'c2-disassemble: gap in the code at {address:#x}')
                code += bytes.fromhex(words)
        elif line.strip().startswith(';') and last is not None:
            notes[last].append(line.strip())
    if base is None:
        sys.exit('c2-disassemble: the compilation has no [MachCode] hex words')
    return base, code, notes


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: c2-disassemble.py HOTSPOT_OUTPUT METHOD   (METHOD as in Class::name)')
    with open(sys.argv[1], errors='replace') as hotspot:
        lines = hotspot.read().split('\n')
    base, code, notes = machine_code(lines, last_c2_compilation(lines, sys.argv[2]))
    for line in objdump_listing(base, code).split('\n'):
        match = INSTRUCTION.match(line)
        if match:
            for note in notes.pop(int(match.group(1), 16), []):
                print('        ' + note)
        print(line)


if __name__ == '__main__':
    main()
