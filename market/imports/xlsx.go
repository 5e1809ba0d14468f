package imports

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// readXLSX reads the first sheet. Dates with the built-in short date format come out as YYYY-MM-DD.
func readXLSX(data []byte) (*Table, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		// A zip bomb must not fill the disk: 8× the file limit is far above any real sheet's unpacked size.
		UnzipSizeLimit:   MaxFileSize * 8,
		ShortDatePattern: "yyyy-mm-dd",
	})
	if err != nil {
		return nil, fileError("bad_format", "无法读取 XLSX 文件："+err.Error(), "cannot read the XLSX file: "+err.Error())
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errEmpty
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fileError("bad_format", "无法读取第一个工作表："+err.Error(), "cannot read the first sheet: "+err.Error())
	}
	defer rows.Close()
	var (
		raw   [][]string
		lines []int
		errs  LineErrors
	)
	// The iterator yields sheet rows in order, gaps included, so the count is the row number.
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns()
		if err != nil {
			return nil, LineErrors{lineErr(line, "", "cannot read the row: "+err.Error(), "无法读取该行："+err.Error())}
		}
		for _, c := range cells {
			if !utf8.ValidString(c) {
				errs = append(errs, lineErr(line, "", "broken UTF-8 in a cell", "单元格中含有无效的 UTF-8 字符"))
				break
			}
		}
		if len(raw) == 0 && isBlank(cells) {
			continue // blank rows above the header
		}
		raw = append(raw, cells)
		lines = append(lines, line)
	}
	if err := rows.Error(); err != nil {
		if errors.Is(err, excelize.ErrMaxRows) {
			return nil, fileError("too_many_rows", "工作表行数过多", "the sheet has too many rows")
		}
		return nil, fmt.Errorf("imports: read XLSX: %w", err)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return build("xlsx", lines, raw)
}

func isBlank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}
