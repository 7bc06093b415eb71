"""The edges: reading reports and the reference workbook, the master folder, writing
workbooks and mail, the clock. Imports `xlpy.core` and `xlpy.contract`."""
