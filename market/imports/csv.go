package imports

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// maxEncodingErrors bounds how many broken lines are listed: a file in the wrong encoding breaks them all.
const maxEncodingErrors = 20

// readCSV parses UTF-8 CSV (a BOM is fine). Line numbers are physical lines where each record starts.
func readCSV(data []byte) (*Table, error) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return nil, fileError("bad_encoding", "文件是 UTF-16 编码：请另存为“CSV UTF-8”格式",
			"the file is UTF-16: save it as \"CSV UTF-8\"")
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if errs := checkUTF8(data); len(errs) > 0 {
		return nil, errs
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	var (
		raw   [][]string
		lines []int
	)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, LineErrors{lineErr(pe.StartLine, "", "malformed CSV: "+pe.Err.Error(),
					"CSV 格式错误："+csvErrZH(pe.Err))}
			}
			return nil, fmt.Errorf("imports: read CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		raw = append(raw, rec)
		lines = append(lines, line)
	}
	return build("csv", lines, raw)
}

func csvErrZH(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return "未加引号的字段中出现了引号"
	case errors.Is(err, csv.ErrQuote):
		return "引号不成对"
	}
	return err.Error()
}

// checkUTF8 lists the lines that are not valid UTF-8.
func checkUTF8(data []byte) LineErrors {
	if utf8.Valid(data) {
		return nil
	}
	var errs LineErrors
	for line := 1; len(data) > 0; line++ {
		l := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if !utf8.Valid(l) {
			if len(errs) == maxEncodingErrors {
				errs = append(errs, lineErr(line, "", "… and more lines with broken UTF-8", "……还有更多行不是有效的 UTF-8"))
				break
			}
			errs = append(errs, lineErr(line, "", "broken UTF-8: save the file as \"CSV UTF-8\" (is it GBK?)",
				"不是有效的 UTF-8 编码：请另存为“CSV UTF-8”格式（文件是否为 GBK 编码？）"))
		}
	}
	return errs
}
