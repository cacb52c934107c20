; Inno Setup script for Crosslink: a per-user installer (no administrator rights), Start-menu entry,
; optional desktop icon, and an uninstaller registered under "Apps & features".
;
; Built by installers\windows\build.ps1, which passes the version read from pyproject.toml:
;   iscc /DAppVersion=<version> /DFileVersion=<a.b.c.d> /DSourceDir=<PyInstaller dist\crosslink> /DIconFile=<crosslink.ico> crosslink.iss
; Nothing here carries a version number of its own.

#ifndef AppVersion
  #error AppVersion is not defined: build with installers\windows\build.ps1 (it reads pyproject.toml)
#endif
#ifndef FileVersion
  #error FileVersion is not defined: pass installers\version.py --numeric (four numbers, as Windows wants)
#endif
#ifndef SourceDir
  #error SourceDir is not defined: pass the PyInstaller output folder (dist\crosslink)
#endif

[Setup]
; AppId identifies Crosslink for upgrades and uninstall: never change it.
AppId={{6B1E7C52-3F4A-4D7B-9C1E-2A5D8F0B7C31}
AppName=Crosslink
AppVersion={#AppVersion}
AppVerName=Crosslink {#AppVersion}
AppPublisher=Crosslink
VersionInfoVersion={#FileVersion}
; Per-user install: everything under %LOCALAPPDATA%\Programs, the user's Start menu and HKCU.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\Crosslink
DefaultGroupName=Crosslink
DisableProgramGroupPage=yes
UninstallDisplayName=Crosslink
UninstallDisplayIcon={app}\Crosslink.exe
OutputBaseFilename=crosslink-{#AppVersion}-windows-x64-setup
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
#ifdef IconFile
SetupIconFile={#IconFile}
#endif
#ifdef SignTool
; build.ps1 defines SignTool when WINDOWS_SIGN_CERT_FILE is set; setup and uninstaller are signed.
SignTool={#SignTool}
SignedUninstaller=yes
#endif

[Tasks]
Name: "desktopicon"; Description: "Create a &desktop icon"; GroupDescription: "Additional icons:"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Crosslink"; Filename: "{app}\Crosslink.exe"
Name: "{autodesktop}\Crosslink"; Filename: "{app}\Crosslink.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Crosslink.exe"; Description: "Start Crosslink"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the installer put in {app}; settings, data, logs and Credential Manager entries stay.
Type: filesandordirs; Name: "{app}\_internal"
