from pathlib import Path
Path('PWNED').write_text('code ran')
