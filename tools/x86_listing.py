"""Machine code to an objdump listing, for the tools that read what HotSpot compiled."""
import subprocess
import tempfile


def objdump_listing(base, code):
    """binutils' objdump listing of the x86-64 bytes `code`, shown at their real address `base`."""
    with tempfile.NamedTemporaryFile(suffix='.bin') as binary:
        binary.write(code)
        binary.flush()
        return subprocess.run(['objdump', '-D', '-b', 'binary', '-mi386:x86-64', f'--adjust-vma={base:#x}',
                               binary.name], capture_output=True, text=True, check=True).stdout
