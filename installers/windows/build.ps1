# Builds the Windows installer: PyInstaller app folder, self-test of the built exe, then Inno Setup.
#   powershell -ExecutionPolicy Bypass -File installers\windows\build.ps1
# Needs: Python 3.11 with the project installed in .venv (python -m venv .venv; .venv\Scripts\pip install -e .),
# Inno Setup 6 (iscc.exe on PATH or in its default folder).
# Optional signing: WINDOWS_SIGN_CERT_FILE (.pfx) and WINDOWS_SIGN_CERT_PASSWORD; signtool.exe on PATH.
$ErrorActionPreference = "Stop"
$Repo = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $Repo
$Py = Join-Path $Repo ".venv\Scripts\python.exe"
$PyInstallerVersion = "6.22.3"

& $Py -m pip install --quiet "pyinstaller==$PyInstallerVersion"
$Version = (& $Py installers\version.py).Trim()
$FileVersion = (& $Py installers\version.py --numeric).Trim()
if ($LASTEXITCODE -ne 0) { throw "the version $Version cannot be a Windows file version" }
$Installed = (& $Py -c "from importlib.metadata import version; print(version('crosslink'))").Trim()
if ($Installed -ne $Version) { & $Py -m pip install --quiet --no-deps -e . }

$Work = Join-Path $Repo "build\windows"
$env:QT_QPA_PLATFORM = "offscreen"
& $Py installers\make_icons.py "$Work\icons"
$env:CROSSLINK_ICON_DIR = "$Work\icons"
& (Join-Path $Repo ".venv\Scripts\pyinstaller.exe") --noconfirm --clean --distpath "$Work\dist" --workpath "$Work\pyinstaller" installers\crosslink.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

$Cli = "$Work\dist\crosslink\crosslink-cli.exe"
$Reported = (& $Cli --version).Trim()
if ($Reported -ne "Crosslink $Version") { throw "built app reports '$Reported', expected 'Crosslink $Version'" }
& $Cli --self-test
if ($LASTEXITCODE -ne 0) { throw "self-test of the built app failed" }

$Iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $Iscc) { $Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
$IsccArgs = @("/DAppVersion=$Version", "/DFileVersion=$FileVersion", "/DSourceDir=$Work\dist\crosslink",
              "/DIconFile=$Work\icons\crosslink.ico", "/O$Repo\dist")
if ($env:WINDOWS_SIGN_CERT_FILE) {
  # Inno Setup calls this for setup.exe and the uninstaller; the password comes from the environment.
  $IsccArgs += "/Ssigntool=signtool.exe sign /fd SHA256 /tr http://timestamp.digicert.com /td SHA256 /f `"$env:WINDOWS_SIGN_CERT_FILE`" /p `"$env:WINDOWS_SIGN_CERT_PASSWORD`" `$f"
  $IsccArgs += "/DSignTool=signtool"
}
& $Iscc @IsccArgs installers\windows\crosslink.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Host "Built dist\crosslink-$Version-windows-x64-setup.exe"
